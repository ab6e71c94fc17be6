"""The web addresses Docket takes (``WEB_ADDRESS_PATTERN``): every address the pattern matches is one Django's
URLValidator accepts, so the OpenAPI schema (which states the pattern) promises nothing the services refuse;
and the API refuses what the pattern does not match, naming the field."""

from __future__ import annotations

import re

import pytest
from django.core.validators import URLValidator
from hypothesis import given, settings
from hypothesis import strategies as st

from directives.errors import InvalidInput
from directives.services.common import WEB_ADDRESS_PATTERN, is_web_address, require_web_address

DJANGO = URLValidator(schemes=["http", "https"])


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.from_regex(WEB_ADDRESS_PATTERN))
def test_every_address_the_pattern_matches_django_accepts(url: str) -> None:
    DJANGO(url.strip())
    assert is_web_address(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://hooks.example.co.uk./in?x=1#y",
        "http://localhost:8000/hook",
        "http://127.0.0.1:65535",
        "https://xn--bcher-kva.example/",
        "https://a-b.xn--p1ai",
    ],
)
def test_addresses_taken(url: str) -> None:
    assert re.search(WEB_ADDRESS_PATTERN, url)
    assert require_web_address(url, field="url") == url


@pytest.mark.parametrize(
    "url",
    [
        "http://9=Vlocalhost:2",  # matched the old pattern; Django refuses the host
        "ftp://example.com",
        "HTTP://example.com",
        "http://user:secret@example.com",
        "http://[::1]/",
        "http://example.com:0",
        "http://example.com:65536",
        "http://-a.example.com",
        "http://example.c",
        "http://256.1.1.1",
        "http://example.com/a b",
        "http://" + "a" * 64 + ".com",
        "http://" + ".".join(["a" * 60] * 5) + ".com",  # a host longer than 253 characters
        "example.com",
    ],
)
def test_addresses_refused(url: str) -> None:
    assert not re.search(WEB_ADDRESS_PATTERN, url)
    with pytest.raises(InvalidInput) as refused:
        require_web_address(url, field="url")
    assert refused.value.field == "url"


def test_blank_only_where_allowed() -> None:
    assert require_web_address("", field="url", blank=True) == ""
    with pytest.raises(InvalidInput):
        require_web_address("", field="url")
