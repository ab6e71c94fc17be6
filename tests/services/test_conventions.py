"""Conventions through the services: an obligation is counted under its authority's convention (or its
own), changing one never moves an existing deadline, and recomputing is recorded with both instants."""

from __future__ import annotations

import datetime as dt

import pytest

from directives.choices import DeadlineRule, EntryKind, Role
from directives.errors import InvalidInput, NotAllowed
from directives.models import ClosureDay, TimelineEntry
from directives.services import conventions as svc

from ..factories import AuthorityFactory, UserFactory, legal_user, make_directive, make_obligation

pytestmark = pytest.mark.django_db
# Saturday 28 Nov 2026, 10:00 CET.
SATURDAY = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
NOW = SATURDAY + dt.timedelta(hours=1)


def _eu():
    return AuthorityFactory.create(
        name="European Commission",
        time_zone="Europe/Brussels",
        calendar_country="BE",
        deadline_convention={"preset": "eu_1182_71"},
    )


def test_an_obligation_is_counted_under_its_authoritys_convention_with_its_explanation() -> None:
    directive = make_directive(authority=_eu(), received_at=SATURDAY, now=NOW)
    ob = make_obligation(directive, rule=DeadlineRule.CALENDAR_DAYS, amount=14, now=NOW)
    assert ob.due_at == dt.datetime(2026, 12, 14, 22, 59, 59, tzinfo=dt.UTC)
    assert ob.due_convention["preset"] == "eu_1182_71"
    assert "last day Sat 12 Dec 2026 is a Saturday: moves to Mon 14 Dec 2026" in ob.due_explanation
    added = TimelineEntry.objects.get(obligation=ob, kind=EntryKind.OBLIGATION_ADDED)
    assert added.data["explanation"] == ob.due_explanation


def test_an_obligation_may_override_the_convention() -> None:
    directive = make_directive(authority=_eu(), received_at=SATURDAY, now=NOW)
    ob = make_obligation(
        directive,
        rule=DeadlineRule.BUSINESS_DAYS,
        amount=10,
        now=NOW,
        convention={"preset": "custom", "day_end": "end_of_day", "deemed_receipt": "next_opening"},
    )
    assert ob.convention is not None and ob.convention["deemed_receipt"] == "next_opening"
    assert ob.due_at == dt.datetime(2026, 12, 14, 22, 59, 59, tzinfo=dt.UTC)
    assert "deemed received Mon 30 Nov 2026, 09:00 CET" in ob.due_explanation


def test_changing_a_convention_or_a_closure_day_never_moves_a_deadline_until_recomputed() -> None:
    legal = legal_user()
    authority = _eu()
    directive = make_directive(authority=authority, received_at=SATURDAY, now=NOW)
    ob = make_obligation(directive, rule=DeadlineRule.CALENDAR_DAYS, amount=14, now=NOW)
    before = ob.due_at
    svc.set_authority_convention(authority=authority, convention={"preset": "frcp_6a"}, actor=legal, now=NOW)
    svc.add_closure_day(
        authority=authority, day="2026-12-14", name="Commission closure", actor=legal, now=NOW
    )
    ob.refresh_from_db()
    assert ob.due_at == before
    notes = TimelineEntry.objects.filter(directive=directive, kind=EntryKind.CONVENTION_CHANGED)
    assert [n.actor_label for n in notes] == ["legal-test", "legal-test"]
    assert "EU 1182/71, Article 3 → US FRCP Rule 6(a)" in notes[0].summary
    assert "Mon 14 Dec 2026 (Commission closure)" in notes[1].summary

    later = NOW + dt.timedelta(hours=2)
    svc.recompute_due(obligation=ob, actor=legal, now=later)
    ob.refresh_from_db()
    assert ob.due_at == dt.datetime(2026, 12, 15, 22, 59, 59, tzinfo=dt.UTC)  # Tue 15 Dec 23:59:59 CET
    entry = TimelineEntry.objects.get(obligation=ob, kind=EntryKind.DEADLINE_RECOMPUTED)
    assert entry.actor_label == "legal-test" and entry.recorded_at == later
    assert entry.data["old_due_at"] == before.isoformat()
    assert entry.data["new_due_at"] == ob.due_at.isoformat()
    assert "Commission closure" in ob.due_explanation


def test_removing_a_closure_day_keeps_who_and_when() -> None:
    legal = legal_user()
    authority = _eu()
    closure = svc.add_closure_day(
        authority=authority, day=dt.date(2026, 12, 24), name="Closure", actor=legal, now=NOW
    )
    with pytest.raises(InvalidInput):
        svc.add_closure_day(authority=authority, day="2026-12-24", name="Again", actor=legal, now=NOW)
    svc.remove_closure_day(closure=closure, actor=legal, now=NOW)
    row = ClosureDay.objects.get(pk=closure.pk)
    assert row.removed_by == legal and row.removed_at == NOW
    svc.add_closure_day(authority=authority, day="2026-12-24", name="Back", actor=legal, now=NOW)


@pytest.mark.parametrize(
    ("day", "name"), [("24/12/2026", "x"), ("1890-01-01", "x"), ("2026-12-24", ""), ("2026-12-24", "x" * 121)]
)
def test_bad_closure_days_are_refused(day, name) -> None:
    with pytest.raises(InvalidInput):
        svc.add_closure_day(authority=_eu(), day=day, name=name, actor=legal_user(), now=NOW)


def test_only_legal_changes_conventions_and_recomputes() -> None:
    engineer = UserFactory(username="eng", role=Role.ENGINEERING)
    directive = make_directive(authority=_eu(), received_at=SATURDAY, now=NOW)
    ob = make_obligation(directive, rule=DeadlineRule.CALENDAR_DAYS, amount=14, now=NOW)
    with pytest.raises(NotAllowed):
        svc.set_authority_convention(
            authority=directive.authority, convention={"preset": "docket"}, actor=engineer, now=NOW
        )
    with pytest.raises(NotAllowed):
        svc.recompute_due(obligation=ob, actor=engineer, now=NOW)


def test_obligation_override_is_recorded_and_does_not_move_the_deadline() -> None:
    legal = legal_user()
    directive = make_directive(authority=_eu(), received_at=SATURDAY, now=NOW)
    ob = make_obligation(directive, rule=DeadlineRule.CALENDAR_DAYS, amount=14, now=NOW)
    before = ob.due_at
    svc.set_obligation_convention(obligation=ob, convention={"preset": "docket"}, actor=legal, now=NOW)
    ob.refresh_from_db()
    assert ob.due_at == before and ob.convention is not None and ob.convention["preset"] == "docket"
    svc.recompute_due(obligation=ob, actor=legal, now=NOW)
    ob.refresh_from_db()
    assert ob.due_at == dt.datetime(2026, 12, 12, 9, 0, tzinfo=dt.UTC)  # Sat 12 Dec, 10:00 CET
