"""The demo replays the shutdown requested, applied and confirmed through the Fable 5 and Mythos controls."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from directives.choices import EntryKind
from directives.models import Control, Enforcement, TimelineEntry

pytestmark = pytest.mark.django_db


def test_demo_shutdown_is_requested_applied_and_confirmed() -> None:
    call_command("load_demo", stdout=StringIO())
    assert set(Control.objects.values_list("product__name", "kind")) == {
        ("Fable 5", "manual"),
        ("Mythos", "manual"),
    }
    for product in ("Fable 5", "Mythos"):
        e = Enforcement.objects.get(control__product__name=product)
        assert e.status == "confirmed" and set(e.states.values()) == {"suspended"}
        assert e.applied_at is not None and e.confirmed_at is not None
        assert e.requested_at <= e.applied_at <= e.confirmed_at
        entries = TimelineEntry.objects.filter(
            product__name=product,
            kind__in=[EntryKind.ACCESS_REQUESTED, EntryKind.ACCESS_APPLIED, EntryKind.ACCESS_CONFIRMED],
        ).order_by("seq")
        assert [x.kind for x in entries] == ["access_requested", "access_applied", "access_confirmed"]
        assert "confirmed by" in entries[2].summary
