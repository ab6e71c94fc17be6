from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from directives.choices import AccessState, DirectiveStatus, EntryKind, Posture, TaskStatus
from directives.models import Directive, ProductAccess, RemediationTask, TimelineEntry
from directives.services.demo import COMMERCE_REFERENCE, most_recent_friday
from directives.services.timeline import verify_all

ET = ZoneInfo("America/New_York")
pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    # Sunday after Thanksgiving 2026, 09:00 ET: the order came on Friday 2026-11-27.
    with time_machine.travel(dt.datetime(2026, 11, 29, 14, 0, tzinfo=dt.UTC), tick=False):
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()


def test_most_recent_friday() -> None:
    assert most_recent_friday(dt.datetime(2026, 11, 29, 14, 0, tzinfo=dt.UTC)) == dt.date(2026, 11, 27)
    # On a Friday before 18:21 ET the story is last week's.
    assert most_recent_friday(dt.datetime(2026, 11, 27, 22, 0, tzinfo=dt.UTC)) == dt.date(2026, 11, 20)
    assert most_recent_friday(dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 27)


def test_demo_loads_on_the_friday_evening_itself() -> None:
    """At 19:12 ET on a Friday the statement of Saturday 10:00 would lie in the future: last week's story."""
    with time_machine.travel(dt.datetime(2026, 12, 5, 0, 12, tzinfo=dt.UTC), tick=False):
        call_command("load_demo", stdout=StringIO())
    order = Directive.objects.get(reference=COMMERCE_REFERENCE)
    receipt = TimelineEntry.objects.filter(directive=order).order_by("seq").first()
    assert receipt is not None
    assert receipt.occurred_at.astimezone(ET).isoformat() == "2026-11-27T17:21:00-05:00"


def test_demo_users_and_passwords_printed_once(loaded) -> None:
    for name in ("legal", "engineer", "engineer2", "executive", "auditor", "admin"):
        assert f"{name}" in loaded and f"docket-demo-{name}" in loaded
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "docket-demo-" not in again.getvalue()
    assert "already present" in again.getvalue()
    assert Directive.objects.filter(reference=COMMERCE_REFERENCE).count() == 1


def test_demo_story(loaded) -> None:
    order = Directive.objects.get(reference=COMMERCE_REFERENCE)
    assert order.status == DirectiveStatus.IN_REMEDIATION and order.posture == Posture.UNDER_PROTEST
    assert set(order.products.values_list("name", flat=True)) == {"Mythos", "Fable 5"}
    entries = list(TimelineEntry.objects.filter(directive=order).order_by("seq"))
    receipt = entries[0]
    assert receipt.kind == EntryKind.RECEIVED
    assert receipt.occurred_at.astimezone(ET).isoformat() == "2026-11-27T17:21:00-05:00"
    assert receipt.occurred_at.isoformat() == "2026-11-27T22:21:00+00:00"
    assert receipt.recorded_at.astimezone(ET).strftime("%H:%M") == "17:40"
    shutdown = [e for e in entries if e.kind == EntryKind.ACCESS_CHANGED]
    assert [e.product.name for e in shutdown if e.product] == ["Fable 5", "Mythos"]
    assert all(e.occurred_at.astimezone(ET).strftime("%H:%M") == "17:48" for e in shutdown)
    assert entries.index(shutdown[0]) > 0
    assert any(e.kind == EntryKind.STATEMENT_PUBLISHED for e in entries)
    assert not ProductAccess.objects.exclude(state=AccessState.SUSPENDED).filter(
        product__name__in=["Mythos", "Fable 5"]
    )
    now = dt.datetime(2026, 11, 29, 14, 0, tzinfo=dt.UTC)
    overdue = RemediationTask.objects.filter(
        status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS], due_at__lt=now
    )
    assert overdue.exists()
    assert RemediationTask.objects.filter(status=TaskStatus.VERIFIED).count() == 1
    kinds = set(Directive.objects.values_list("kind", flat=True))
    assert {"export_control", "voluntary_review", "designation", "assessment"} <= kinds
    assert all(report.ok for report in verify_all())
