"""A directive's timeline as CSV: one row per entry, by sequence, in the authority's zone and in UTC, with
the hash chain."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .. import instants
from ..models import TimelineEntry

HEADER = [
    "seq",
    "kind",
    "occurred_at_authority_zone",
    "occurred_at_utc",
    "recorded_at_utc",
    "actor",
    "summary",
    "corrects_seq",
    "hash",
    "prev_hash",
]
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def timeline_csv(entries: Iterable[TimelineEntry], zone: object) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for e in entries:
        writer.writerow(
            [
                e.seq,
                e.kind,
                instants.iso_local(e.occurred_at, zone),
                instants.iso_utc(e.occurred_at, seconds=True),
                instants.iso_utc(e.recorded_at, seconds=True),
                e.actor_label,
                _csv_safe(e.summary),
                e.supersedes.seq if e.supersedes_id and e.supersedes else "",
                e.hash,
                e.prev_hash,
            ]
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    return "'" + text if text[:1] in FORMULA_STARTS else text
