"""``field__any=ids``: the sweep's membership test in one array (or JSON) parameter."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directives.models import Directive, RemediationTask
from tests.factories import make_directive, make_task


@pytest.fixture
def two_directives(db: Any) -> tuple[Directive, Directive]:
    return make_directive(reference="BIS-1"), make_directive(reference="BIS-2")


def test_it_finds_the_rows_whose_key_is_listed(two_directives: tuple[Directive, Directive]) -> None:
    first, second = two_directives
    assert set(Directive.objects.filter(pk__any=[first.pk]).values_list("reference", flat=True)) == {"BIS-1"}
    assert Directive.objects.filter(pk__any={first.pk, second.pk, 10**9}).count() == 2  # a set, an absent key
    assert not Directive.objects.filter(pk__any=[]).exists()


def test_it_works_on_a_foreign_key_and_on_users(two_directives: tuple[Directive, Directive]) -> None:
    first, second = two_directives
    task = make_task(second, title="Block the accounts")
    assert list(
        RemediationTask.objects.filter(directive_id__any=[second.pk]).values_list("title", flat=True)
    ) == ["Block the accounts"]
    assert not RemediationTask.objects.filter(directive__any=[first.pk]).exists()
    assert get_user_model().objects.filter(pk__any=[task.created_by_id]).count() == 1


def test_the_statement_has_one_parameter_whatever_the_number_of_keys(
    two_directives: tuple[Directive, Directive],
) -> None:
    keys = [d.pk for d in two_directives] + list(range(10**6, 10**6 + 998))
    sent: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert Directive.objects.filter(pk__any=keys).count() == 2
    ((sql, params),) = sent
    assert len(params) == 1  # pk__in would send 1,000, and a statement of several kilobytes
    assert len(sql) < 200


@pytest.mark.parametrize("bad", ["12", 7, [1, "two"], [None]])
def test_anything_but_integer_keys_is_refused_before_any_sql(bad: Any, db: Any) -> None:
    with CaptureQueriesContext(connection) as ctx, pytest.raises((TypeError, ValueError)):
        list(Directive.objects.filter(pk__any=bad))
    assert ctx.captured_queries == []
