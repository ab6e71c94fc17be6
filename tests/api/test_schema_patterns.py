"""The schema's pattern for text fields (``text_pattern``) agrees with what DRF's text field takes: it strips
surrounding whitespace before counting, and refuses a NUL character."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from directives.api.schema import text_pattern

TEXT = st.text(alphabet=st.sampled_from(["a", "é", " ", "\t", "\n", "\u00a0", "\x1f", "\x00"]), max_size=20)


def _accepted(value: str, shortest: int) -> bool:
    field = serializers.CharField(min_length=shortest or None, allow_blank=shortest == 0)
    try:
        field.run_validation(value)
    except serializers.ValidationError:
        return False
    return True


@pytest.mark.parametrize("shortest", [0, 1, 2, 16])
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(value=TEXT)
def test_the_pattern_takes_what_the_field_takes(shortest: int, value: str) -> None:
    assert bool(re.search(text_pattern(shortest), value)) == _accepted(value, shortest)
