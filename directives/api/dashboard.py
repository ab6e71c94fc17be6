"""The executive summary for the API: the ``API`` part of the dashboard's snapshot
(``selectors/snapshot.py``), built from the same figures as the page's, when the snapshot is computed, and
rendered to JSON then. One set of numbers, two renderings, both served from the snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework.renderers import JSONRenderer

from ..selectors import dashboard as selector
from ..selectors.snapshot import SnapshotInfo
from .serializers import DashboardSerializer


def _seconds(value: dt.timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def summary(board: selector.Dashboard) -> dict[str, Any]:
    """The API's shape of ``board`` (``DashboardSerializer``); ``generated_at`` is when its figures were
    computed."""
    t = board.tiles
    return {
        "generated_at": board.now,
        "tiles": {
            "directives_in_effect": t.directives_in_effect,
            "directives_active": t.directives_active,
            "obligations_open": t.obligations_open,
            "obligations_missed": t.obligations_missed,
            "obligations_open_past_due": t.obligations_open_past_due,
            "tasks_open": t.tasks_open,
            "tasks_overdue": t.tasks_overdue,
            "tasks_escalated": t.tasks_escalated,
            "tasks_awaiting_verification": t.tasks_awaiting_verification,
            "median_receipt_to_shutdown_seconds": _seconds(t.median_to_shutdown),
            "shutdown_samples": t.shutdown_samples,
            "shutdown_typed": t.shutdown_typed,
            "last_sweep_at": t.sweep.finished_at if t.sweep else None,
        },
        "rag_rule": board.rag_rule,
        "progress": [
            {
                "directive": p.directive.pk,
                "reference": p.directive.reference,
                "title": p.directive.title,
                "status": p.directive.status,
                "colour": p.colour,
                "reasons": list(p.reasons),
                "obligations_total": p.obligations_total,
                "obligations_met": p.obligations_met,
                "obligations_missed": p.obligations_missed,
                "tasks_total": p.tasks_total,
                "tasks_done": p.tasks_done,
                "tasks_overdue": p.tasks_overdue,
                "percent_done": p.percent_done,
            }
            for p in board.progress
        ],
        "access": {
            "audiences": [{"key": a.key, "name": a.name} for a in board.matrix.audiences],
            "rows": [
                {
                    "product": row.product.pk,
                    "name": row.product.name,
                    "states": [cell.state if cell is not None else None for cell in row.cells],
                }
                for row in board.matrix.rows
            ],
        },
        "receipts": [
            {
                "directive": r.directive.pk,
                "reference": r.directive.reference,
                "received_at": r.receipt,
                "shutdown_at": r.shutdown,
                "receipt_to_shutdown_seconds": _seconds(r.to_shutdown),
                "shutdown_typed": r.typed,
            }
            for r in board.responses
        ],
        "deadlines": [
            {
                "due_at": d.due_at,
                "what": d.what,
                "title": d.title,
                "directive": d.directive.pk,
                "obligation": d.obligation.pk if d.obligation else None,
                "task": d.task.pk if d.task else None,
                "who": d.who,
            }
            for d in board.deadlines
        ],
        "recent_escalations": board.escalations,
        "charts": board.charts,
    }


def render_summary(board: selector.Dashboard, info: SnapshotInfo, rows: list[selector.ProgressRow]) -> bytes:
    """The summary as the API answers it, in JSON (installed as the snapshot's ``API`` part)."""
    return bytes(JSONRenderer().render(DashboardSerializer(summary(board)).data))
