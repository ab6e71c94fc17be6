"""Reads for the timeline page and the compliance report.

Chronological by when it happened (``occurred_at``), then by the order it was recorded (``seq``).
A correction is shown beside the entry it supersedes rather than as a row of its own, unless the entry
it corrects is not on the page (filtered out, or on another page).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from ..choices import EntryKind
from ..models import TimelineEntry


@dataclass
class TimelineRow:
    entry: TimelineEntry
    corrections: list[TimelineEntry] = field(default_factory=list)

    @property
    def superseded(self) -> bool:
        return bool(self.corrections)


def timeline_queryset(
    *, directive_id: int | None = None, kinds: list[str] | None = None, newest_first: bool = False
) -> QuerySet[TimelineEntry]:
    qs = TimelineEntry.objects.select_related("directive", "directive__authority", "supersedes")
    if directive_id is not None:
        qs = qs.filter(directive_id=directive_id)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    order = (
        ["-occurred_at", "-directive_id", "-seq"] if newest_first else ["occurred_at", "directive_id", "seq"]
    )
    return qs.order_by(*order)


def entry_on(directive_id: int, entry_id: int) -> TimelineEntry | None:
    """One entry of a directive's timeline, or None when the id is not on that directive's chain."""
    return TimelineEntry.objects.filter(pk=entry_id, directive_id=directive_id).first()


def group_corrections(entries: list[TimelineEntry]) -> list[TimelineRow]:
    """Attach each correction to the entry it supersedes (following corrections of corrections back
    to the original) when that entry is in ``entries``; otherwise the correction is a row of its own."""
    by_pk = {e.pk: e for e in entries}

    def root(entry: TimelineEntry) -> TimelineEntry:
        current, seen = entry, set()
        while (
            current.kind == EntryKind.CORRECTION and current.supersedes_id in by_pk and current.pk not in seen
        ):
            seen.add(current.pk)
            current = by_pk[current.supersedes_id]
        return current

    rows: list[TimelineRow] = []
    row_of: dict[int, TimelineRow] = {}
    attached: list[tuple[TimelineEntry, TimelineEntry]] = []
    for entry in entries:
        origin = root(entry)
        if origin is not entry:
            attached.append((origin, entry))
            continue
        row = TimelineRow(entry)
        row_of[entry.pk] = row
        rows.append(row)
    for origin, correction in sorted(attached, key=lambda pair: pair[1].seq):
        row_of[origin.pk].corrections.append(correction)
    return rows


def timeline_rows(
    *, directive_id: int | None = None, kinds: list[str] | None = None, newest_first: bool = False
) -> list[TimelineRow]:
    return group_corrections(
        list(timeline_queryset(directive_id=directive_id, kinds=kinds, newest_first=newest_first))
    )
