"""Where a task stands on its escalation ladder, for the sentences the pages show
(``Level 3 of 3: 4 hours overdue (executive), 34th repeat``, see ``directives/wording.py``)."""

from __future__ import annotations

from django.db.models import Max, OuterRef, Subquery

from .. import wording
from ..models import Escalation, EscalationStep


def top_levels() -> dict[tuple[str, str], int]:
    """The highest level of each active ladder, by (applies_to, priority). One query."""
    rows = (
        EscalationStep.objects.filter(policy__active=True)
        .values("policy__applies_to", "policy__priority")
        .annotate(top=Max("level"))
        .order_by()
    )
    return {(r["policy__applies_to"], r["policy__priority"]): int(r["top"]) for r in rows}


def task_escalation_words(*, task_id: int, level: int) -> str:
    """The sentence for the step a task reached last on its current ladder; the level in words when no
    step is on record (a ladder restarted since). One query."""
    top = (
        EscalationStep.objects.filter(policy=OuterRef("step__policy")).order_by("-level").values("level")[:1]
    )
    row = (
        Escalation.objects.filter(task_id=task_id, superseded_at__isnull=True, level__gt=0)
        .annotate(top=Subquery(top))
        .order_by("-level", "-repeat", "-pk")
        .values_list("level", "repeat", "name", "top")
        .first()
    )
    if row is None:
        words = wording.level_words(level)
        return words[0].upper() + words[1:]
    found_level, repeat, name, top_level = row
    return wording.escalation_words(level=found_level, top=top_level, name=name, repeat=repeat)
