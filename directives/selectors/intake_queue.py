"""The intake mailbox's queue, as legal works it: the messages waiting to be logged or dismissed."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import IntakeItem, IntakeState

PAGE_SIZE = 50


def waiting() -> QuerySet[IntakeItem]:
    """Oldest first: the order that reached the company first is logged first."""
    return IntakeItem.objects.filter(state=IntakeState.WAITING).order_by("created_at", "pk")


def recently_closed(limit: int = 10) -> list[IntakeItem]:
    return list(
        IntakeItem.objects.exclude(state=IntakeState.WAITING)
        .select_related("directive", "closed_by")
        .order_by("-closed_at", "-pk")[:limit]
    )
