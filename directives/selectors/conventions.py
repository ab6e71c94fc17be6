"""Reads for counting deadlines: an authority's calendar (with its closure days) and the convention an
obligation is counted under."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..conventions import Convention, convention_from
from ..deadlines import BusinessCalendar
from ..models import Authority, ClosureDay, Obligation


def calendar_of(authority: Authority) -> BusinessCalendar:
    """The authority's business calendar: its country's public holidays and the closure days it keeps
    (those not removed). One query."""
    closures = tuple(
        ClosureDay.objects.filter(authority=authority, removed_at__isnull=True)
        .order_by("day")
        .values_list("day", "name")
    )
    return BusinessCalendar(authority.calendar_country, authority.calendar_subdivision, closures)


def convention_of(authority: Authority, override: Mapping[str, Any] | None = None) -> Convention:
    """The convention a deadline is counted under: the obligation's ``override`` when it has one, else the
    authority's."""
    return convention_from(override if override else authority.deadline_convention)


def obligation_convention(obligation: Obligation) -> Convention:
    return convention_of(obligation.directive.authority, obligation.convention)


def closure_days(authority: Authority, *, include_removed: bool = False) -> list[ClosureDay]:
    rows = ClosureDay.objects.filter(authority=authority).select_related("added_by", "removed_by")
    if not include_removed:
        rows = rows.filter(removed_at__isnull=True)
    return list(rows.order_by("day", "added_at"))
