"""Counting conventions and closure days: choosing how an authority's deadlines are counted (or one
obligation's), keeping its closure days, and recomputing an obligation's due instant.

Changing a convention or a closure day never moves an existing deadline: new obligations are counted
under it, and an existing one moves only when legal recomputes it (``recompute_due``), which records the
old and new due instants on the timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from .. import instants
from ..choices import EntryKind, ObligationStatus
from ..conventions import convention_from
from ..deadlines import Deadline, zone
from ..errors import InvalidInput
from ..escalation.hooks import next_escalation_for_obligation
from ..models import Authority, ClosureDay, Obligation
from ..permissions import Action, require
from ..selectors.conventions import convention_of
from .common import conditional_update, require_text
from .obligations import count_for
from .timeline import append_entries, append_entry

EARLIEST_CLOSURE = dt.date(2000, 1, 1)
LATEST_CLOSURE = dt.date(2199, 12, 31)


def _note_on_open_directives(
    authority: Authority, *, summary: str, data: dict[str, Any], actor: Any, now: dt.datetime
) -> int:
    """The change on the timeline of each of ``authority``'s directives with an open obligation: their
    deadlines are the ones a recompute could move."""
    directive_ids = sorted(
        set(
            Obligation.objects.filter(
                directive__authority=authority, status=ObligationStatus.OPEN
            ).values_list("directive_id", flat=True)
        )
    )
    item = {
        "kind": EntryKind.CONVENTION_CHANGED,
        "occurred_at": now,
        "recorded_at": now,
        "actor_id": getattr(actor, "pk", None),
        "actor_label": actor.get_username() if actor is not None else "system",
        "summary": summary,
        "data": data,
    }
    return append_entries({pk: [item] for pk in directive_ids}, now=now)


@transaction.atomic
def set_authority_convention(
    *,
    authority: Authority,
    convention: Mapping[str, Any],
    actor: Any,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Authority:
    """Count ``authority``'s new deadlines under ``convention`` (a preset, or a custom set of building
    blocks). Existing deadlines do not move; each directive with an open obligation records the change."""
    require(actor, Action.LOG_DIRECTIVE)
    old = convention_of(authority)
    new = convention_from(convention)
    if new == old:
        raise InvalidInput("Nothing to change: that is already the authority's convention.", field="preset")
    conditional_update(
        authority, expected_version=expected_version, changes={"deadline_convention": new.as_dict()}
    )
    who = actor.get_username() if actor is not None else "the system"
    _note_on_open_directives(
        authority,
        summary=(
            f"{authority}'s counting convention changed by {who}: {old.describe()} → {new.describe()}. "
            "Existing deadlines are unchanged until recomputed."
        ),
        data={"authority": authority.pk, "old": old.as_dict(), "new": new.as_dict()},
        actor=actor,
        now=now,
    )
    return authority


def _closure_day(value: Any) -> dt.date:
    when: dt.date
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        when = value
    else:
        try:
            when = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise InvalidInput(f"Not a date: {value!r} (use YYYY-MM-DD).", field="day") from None
    if not EARLIEST_CLOSURE <= when <= LATEST_CLOSURE:
        raise InvalidInput(
            f"A closure day lies between {EARLIEST_CLOSURE} and {LATEST_CLOSURE}.", field="day"
        )
    return when


@transaction.atomic
def add_closure_day(*, authority: Authority, day: Any, name: str, actor: Any, now: dt.datetime) -> ClosureDay:
    """A day ``authority`` keeps closed: not a business day for its new deadlines."""
    require(actor, Action.LOG_DIRECTIVE)
    when = _closure_day(day)
    name = require_text(name, field="name", max_length=120)
    if ClosureDay.objects.filter(authority=authority, day=when, removed_at__isnull=True).exists():
        raise InvalidInput(f"{authority} already keeps {when} closed.", field="day")
    try:
        with transaction.atomic():
            closure = ClosureDay.objects.create(
                authority=authority, day=when, name=name, added_by=actor, added_at=now
            )
    except IntegrityError as exc:
        raise InvalidInput(f"{authority} already keeps {when} closed.", field="day") from exc
    who = actor.get_username() if actor is not None else "the system"
    _note_on_open_directives(
        authority,
        summary=f"Closure day added to {authority} by {who}: {_words(when)} ({name}). "
        "Existing deadlines are unchanged until recomputed.",
        data={"authority": authority.pk, "closure_added": when.isoformat(), "name": name},
        actor=actor,
        now=now,
    )
    return closure


@transaction.atomic
def remove_closure_day(*, closure: ClosureDay, actor: Any, now: dt.datetime) -> ClosureDay:
    """Stop keeping a closure day (the row stays, with who removed it and when)."""
    require(actor, Action.LOG_DIRECTIVE)
    updated = ClosureDay.objects.filter(pk=closure.pk, removed_at__isnull=True).update(
        removed_at=now, removed_by=actor
    )
    if updated != 1:
        raise InvalidInput("That closure day was already removed.", field="closure")
    closure.refresh_from_db()
    who = actor.get_username() if actor is not None else "the system"
    _note_on_open_directives(
        closure.authority,
        summary=f"Closure day removed from {closure.authority} by {who}: {_words(closure.day)} "
        f"({closure.name}). Existing deadlines are unchanged until recomputed.",
        data={"authority": closure.authority_id, "closure_removed": closure.day.isoformat()},
        actor=actor,
        now=now,
    )
    return closure


def _words(value: dt.date) -> str:
    return instants.calendar_day(value)


@transaction.atomic
def set_obligation_convention(
    *,
    obligation: Obligation,
    convention: Mapping[str, Any] | None,
    actor: Any,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Obligation:
    """Count ``obligation`` under its own convention (``None``: its authority's again). Its due instant
    does not move until it is recomputed."""
    require(actor, Action.MANAGE_OBLIGATIONS)
    if obligation.status != ObligationStatus.OPEN:
        raise InvalidInput(
            f"Only an open obligation is counted again; this one is {obligation.status}.", field="obligation"
        )
    authority = obligation.directive.authority
    override = convention_from(convention).as_dict() if convention else None
    if override == obligation.convention:
        raise InvalidInput("Nothing to change: the obligation already uses that convention.", field="preset")
    conditional_update(obligation, expected_version=expected_version, changes={"convention": override})
    chosen = convention_of(authority, override)
    append_entry(
        directive=obligation.directive,
        kind=EntryKind.CONVENTION_CHANGED,
        occurred_at=now,
        actor=actor,
        now=now,
        obligation=obligation,
        summary=f"Convention of {obligation.title}: "
        + (chosen.describe() if override else f"{authority}'s ({chosen.describe()})")
        + ". Its due instant is unchanged until recomputed.",
        data={"override": override, "convention": chosen.as_dict()},
    )
    return obligation


@transaction.atomic
def recompute_due(
    *, obligation: Obligation, actor: Any, now: dt.datetime, expected_version: int | None = None
) -> Obligation:
    """Count ``obligation``'s due instant again under its current convention and its authority's current
    calendar, and record the old and new instants (also when they agree)."""
    require(actor, Action.MANAGE_OBLIGATIONS)
    if obligation.status != ObligationStatus.OPEN:
        raise InvalidInput(
            f"Only an open obligation's deadline can be recomputed; this one is {obligation.status}.",
            field="obligation",
        )
    directive = obligation.directive
    authority = directive.authority
    deadline = Deadline(obligation.deadline_rule, obligation.deadline_amount, obligation.deadline_at)  # type: ignore[arg-type]
    counted = count_for(
        authority, deadline, received_at=directive.received_at, override=obligation.convention
    )
    old_due = obligation.due_at
    convention = convention_of(authority, obligation.convention)
    obligation.due_at = counted.due
    conditional_update(
        obligation,
        expected_version=expected_version,
        changes={
            "due_at": counted.due,
            "due_convention": convention.as_dict(),
            "due_explanation": counted.explanation,
            "next_escalation_at": next_escalation_for_obligation(obligation, now=now),
        },
    )
    tz = zone(authority.time_zone)
    moved = (
        "unchanged"
        if old_due == counted.due
        else f"{instants.legal(old_due, tz)} → {instants.legal(counted.due, tz)}"
    )
    append_entry(
        directive=directive,
        kind=EntryKind.DEADLINE_RECOMPUTED,
        occurred_at=now,
        actor=actor,
        now=now,
        obligation=obligation,
        summary=f"Deadline recomputed under {convention.describe()}: {obligation.title}, due {moved}",
        data={
            "old_due_at": old_due.isoformat(),
            "new_due_at": counted.due.isoformat(),
            "convention": convention.as_dict(),
            "explanation": counted.explanation,
        },
    )
    return obligation
