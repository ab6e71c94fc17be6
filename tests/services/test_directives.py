from __future__ import annotations

import datetime as dt

import pytest

from directives.choices import DirectiveStatus, EntryKind, Posture
from directives.errors import InvalidInput, InvalidTransition, NotAllowed, StaleVersion
from directives.models import Directive, TimelineEntry
from directives.services.directives import (
    AffectedProduct,
    create_authority,
    log_directive,
    publish_statement,
    record_action,
    transition_directive,
)
from directives.services.obligations import add_obligation

from ..factories import ET_FRIDAY_1721, AuthorityFactory, make_directive, make_product

NOW = ET_FRIDAY_1721 + dt.timedelta(minutes=19)


def _log(actor, **overrides):
    args = dict(
        authority=AuthorityFactory(name="U.S. Department of Commerce"),
        reference="BIS-1",
        title="Block foreign nationals",
        kind="export_control",
        received_at=ET_FRIDAY_1721,
        actor=actor,
        now=NOW,
    )
    args.update(overrides)
    return log_directive(**args)


def test_log_directive_writes_the_receipt_entry(legal) -> None:
    fable, mythos = make_product("Fable 5"), make_product("Mythos")
    directive = _log(
        legal,
        products=[
            AffectedProduct(fable, "Block foreign nationals"),
            AffectedProduct(mythos, "Block foreign nationals"),
        ],
    )
    assert directive.status == DirectiveStatus.RECEIVED
    assert set(directive.products.values_list("name", flat=True)) == {"Fable 5", "Mythos"}
    entry = directive.timeline.get()
    assert entry.kind == EntryKind.RECEIVED
    assert entry.occurred_at == ET_FRIDAY_1721 and entry.recorded_at == NOW
    assert entry.data["received_at_local"] == "2026-11-27T17:21:00-05:00"
    assert "Fable 5 (Block foreign nationals)" in entry.summary


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"received_at": dt.datetime(2026, 11, 27, 17, 21)}, "time zone or UTC offset"),
        ({"received_at": NOW + dt.timedelta(hours=2)}, "in the future"),
        ({"reference": "  "}, "reference is required"),
        ({"title": "x" * 301}, "longer than 300"),
        ({"kind": "decree"}, "Unknown kind"),
        ({"title": "bad\x00title"}, "NUL"),
    ],
)
def test_refused_inputs_write_nothing(legal, overrides, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        _log(legal, **overrides)
    assert Directive.objects.count() == 0 and TimelineEntry.objects.count() == 0


def test_duplicate_reference_per_authority_is_refused(legal) -> None:
    _log(legal)
    with pytest.raises(InvalidInput, match="already has a directive with reference 'BIS-1'"):
        _log(legal)


def test_unknown_time_zone_is_refused(legal) -> None:
    with pytest.raises(InvalidInput, match="Unknown time zone 'America/Gotham'"):
        create_authority(name="Gotham", jurisdiction="Gotham", time_zone="America/Gotham", actor=legal)


def test_deadline_before_receipt_is_refused(legal) -> None:
    directive = make_directive(actor=legal)
    before = TimelineEntry.objects.count()
    with pytest.raises(InvalidInput, match="before the receipt"):
        add_obligation(
            directive=directive,
            title="Report",
            deadline_rule="by_instant",
            deadline_at=ET_FRIDAY_1721 - dt.timedelta(hours=1),
            actor=legal,
            now=NOW,
        )
    assert TimelineEntry.objects.count() == before


def test_engineers_cannot_log_orders(engineer) -> None:
    with pytest.raises(NotAllowed, match="needs: Legal"):
        _log(engineer)


def test_status_moves_follow_states_and_refusals_write_nothing(legal) -> None:
    directive = make_directive(actor=legal)
    transition_directive(directive=directive, to_status=DirectiveStatus.IN_EFFECT, actor=legal, now=NOW)
    directive.refresh_from_db()
    assert directive.status == DirectiveStatus.IN_EFFECT and directive.version == 2
    count = directive.timeline.count()
    with pytest.raises(InvalidTransition, match="cannot move from In effect to Received"):
        transition_directive(directive=directive, to_status=DirectiveStatus.RECEIVED, actor=legal, now=NOW)
    assert directive.timeline.count() == count
    last = directive.timeline.latest("seq")
    assert last.kind == EntryKind.STATUS_CHANGED and last.data == {
        "from": "received",
        "to": "in_effect",
        "note": "",
    }


def test_stale_version_is_refused(legal) -> None:
    directive = make_directive(actor=legal)
    transition_directive(directive=directive, to_status=DirectiveStatus.IN_EFFECT, actor=legal, now=NOW)
    stale = Directive.objects.get(pk=directive.pk)
    with pytest.raises(StaleVersion, match="your version 1, now 2"):
        transition_directive(
            directive=stale,
            to_status=DirectiveStatus.IN_REMEDIATION,
            actor=legal,
            now=NOW,
            expected_version=1,
        )


def test_statement_under_protest_sets_posture(legal) -> None:
    directive = make_directive(actor=legal)
    publish_statement(
        directive=directive,
        text="A narrow potential jailbreak does not justify a recall.",
        actor=legal,
        now=NOW,
        posture=Posture.UNDER_PROTEST,
    )
    directive.refresh_from_db()
    assert directive.posture == Posture.UNDER_PROTEST
    entry = directive.timeline.latest("seq")
    assert entry.kind == EntryKind.STATEMENT_PUBLISHED and "complying under protest" in entry.summary


def test_only_recordable_kinds_by_hand(legal) -> None:
    directive = make_directive(actor=legal)
    with pytest.raises(InvalidInput, match="cannot be recorded by hand"):
        record_action(
            directive=directive,
            kind=EntryKind.ESCALATED,
            summary="fake",
            occurred_at=NOW,
            actor=legal,
            now=NOW,
        )
