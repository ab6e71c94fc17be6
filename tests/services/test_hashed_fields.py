"""The hashed fields of a timeline entry are defined once (``timeline.HASHED``): every writer and the
verification follow a change to that definition, on either backend."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.choices import EntryKind, Priority
from directives.escalation.sweep import sweep
from directives.models import TimelineEntry
from directives.services import timeline
from directives.services.directives import record_action

from ..factories import make_directive, make_task

# Keys that sort before "prev", between "prev" and "seq", and after "seq": PostgreSQL's append joins the
# payload around the chain's two values, so each part of that layout gets a new field.
EXTRA = (
    timeline.Hashed("aa_title_again", "summary"),
    timeline.Hashed("q_kind_again", "kind"),
    timeline.Hashed("zz_when_again", "occurred_at", instant=True),
)


def test_a_field_added_to_the_definition_is_hashed_by_every_writer_and_checked_by_verify(
    legal: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeline, "HASHED", (*timeline.HASHED, *EXTRA))  # a copy with three more fields
    received = dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)
    directive = make_directive(actor=legal, received_at=received)  # append_entry: the receipt
    now = received + dt.timedelta(hours=1)
    record_action(  # append_entry again, through a service
        directive=directive, kind=EntryKind.COMMENT, summary="noted", occurred_at=now, actor=legal, now=now
    )
    task = make_task(directive, actor=legal, priority=Priority.P0, due_at=now, now=now)
    assert sweep(now=now + dt.timedelta(hours=3)).escalations >= 2  # append_entries, from the sweep
    timeline.append_entries(  # append_entries, called directly
        {
            directive.pk: [
                {"kind": EntryKind.COMMENT, "occurred_at": now, "recorded_at": now, "summary": "batch"}
            ]
        },
        now=now,
    )

    entries = list(TimelineEntry.objects.filter(directive=directive).order_by("seq"))
    kinds = {e.kind for e in entries}
    assert {EntryKind.RECEIVED, EntryKind.COMMENT, EntryKind.TASK_CREATED, EntryKind.ESCALATED} <= kinds
    for entry in entries:
        payload = timeline.entry_payload(
            **{f.attname: getattr(entry, f.attname) for f in (*timeline.HASHED, *timeline.CHAIN)}
        )
        assert (
            b'"aa_title_again"' in payload and b'"q_kind_again"' in payload and b'"zz_when_again"' in payload
        )
        assert timeline.compute_hash(entry) == entry.hash, entry.kind
    assert timeline.verify_chain(directive.pk).ok
    assert task.pk

    monkeypatch.undo()  # the original definition: every entry above hashed more than it covers
    report = timeline.verify_chain(directive.pk)
    assert not report.ok and report.problem is not None and report.problem.seq == 1
    assert "content does not match" in report.problem.reason
