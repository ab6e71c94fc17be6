"""Obligations: what a directive requires and by when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from .. import instants, states
from ..choices import DeadlineRule, EntryKind, ObligationStatus
from ..conventions import Convention, Counted, count
from ..deadlines import BusinessCalendar, Deadline, zone
from ..errors import DomainError, InvalidInput
from ..escalation.hooks import next_escalation_for_obligation, stop_escalation
from ..models import Authority, Directive, Obligation
from ..permissions import Action, require
from ..selectors.conventions import calendar_of, convention_of
from .common import check_version, conditional_update, require_text
from .timeline import FUTURE_TOLERANCE, append_entry


def preview_due(
    *,
    directive_received_at: dt.datetime,
    authority: Authority,
    deadline: Deadline,
    convention: Mapping[str, Any] | None = None,
) -> Counted:
    """The due instant a rule would give under the authority's convention (or ``convention``, an
    obligation's override), with its explanation: the live preview of the intake and the directive page."""
    return count_for(authority, deadline, received_at=directive_received_at, override=convention)


def count_for(
    authority: Authority,
    deadline: Deadline,
    *,
    received_at: dt.datetime,
    override: Mapping[str, Any] | None = None,
    calendar: BusinessCalendar | None = None,
) -> Counted:
    """``deadline`` counted from ``received_at`` in ``authority``'s zone, calendar and convention."""
    convention: Convention = convention_of(authority, override)
    return count(
        deadline,
        received_at=received_at,
        tz=zone(authority.time_zone),
        calendar=calendar or calendar_of(authority),
        convention=convention,
    )


def _override(authority: Authority, convention: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The obligation's own convention in its stored form (``None``: the authority's); a refusal names its
    field under ``convention`` (``convention.opens``), as the obligation's body has it."""
    if not convention:
        return None
    try:
        return convention_of(authority, convention).as_dict()
    except DomainError as exc:
        inner = exc.field if exc.field and exc.field != "convention" else ""
        raise exc.named(f"convention.{inner}" if inner else "convention") from exc


@transaction.atomic
def add_obligation(
    *,
    directive: Directive,
    title: str,
    deadline_rule: DeadlineRule | str,
    actor: Any,
    now: dt.datetime,
    deadline_amount: int | None = None,
    deadline_at: dt.datetime | None = None,
    description: str = "",
    directive_version: int | None = None,
    convention: Mapping[str, Any] | None = None,
) -> Obligation:
    """An obligation of ``directive``, due by its rule counted from the receipt in the authority's zone,
    business calendar and counting convention (``convention`` overrides the authority's for this
    obligation), at intake or later from the directive page. ``directive_version``, when given, is the
    version of the directive the person read: a directive changed since is refused."""
    require(actor, Action.MANAGE_OBLIGATIONS)
    check_version(directive, expected_version=directive_version)
    if deadline_rule not in DeadlineRule.values:
        raise InvalidInput(f"Unknown deadline rule {deadline_rule!r}.", field="deadline_rule")
    rule = DeadlineRule(deadline_rule)
    if rule == DeadlineRule.BY_INSTANT and deadline_at is None:
        raise InvalidInput("A stated deadline needs its date and time.", field="deadline_at")
    if deadline_at is not None:
        instants.check_window(deadline_at, field="deadline_at")
    authority = directive.authority
    deadline = Deadline(rule, deadline_amount, deadline_at)
    override = _override(authority, convention)
    counted = count_for(authority, deadline, received_at=directive.received_at, override=override)
    due = counted.due
    obligation = Obligation(
        directive=directive,
        title=require_text(title, field="title", max_length=300),
        description=require_text(description, field="description", blank=True, max_length=20_000),
        deadline_rule=rule,
        deadline_amount=deadline_amount
        if rule not in (DeadlineRule.IMMEDIATELY, DeadlineRule.BY_INSTANT)
        else None,
        deadline_at=deadline_at if rule == DeadlineRule.BY_INSTANT else None,
        due_at=due,
        due_rule_text=deadline.describe(directive.authority),
        convention=override,
        due_convention=convention_of(authority, override).as_dict(),
        due_explanation=counted.explanation,
    )
    obligation.next_escalation_at = next_escalation_for_obligation(obligation, now=now)
    obligation.save()
    tz = zone(authority.time_zone)
    append_entry(
        directive=directive,
        kind=EntryKind.OBLIGATION_ADDED,
        occurred_at=now,
        actor=actor,
        now=now,
        obligation=obligation,
        summary=f"Obligation: {obligation.title}, {obligation.due_rule_text}, due {instants.legal(due, tz)}",
        data={
            "title": obligation.title,
            "rule": rule.value,
            "amount": obligation.deadline_amount,
            "due_at": due.isoformat(),
            "due_at_local": due.astimezone(tz).isoformat(),
            "convention": obligation.due_convention,
            "explanation": counted.explanation,
        },
    )
    return obligation


@transaction.atomic
def mark_obligation_met(
    *,
    obligation: Obligation,
    met_at: dt.datetime,
    actor: Any,
    now: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Obligation:
    require(actor, Action.MANAGE_OBLIGATIONS)
    instants.check_window(met_at, field="met_at")
    if met_at > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            f"met_at {instants.legal(met_at, instants.UTC, seconds=True)} is in the future.", field="met_at"
        )
    if met_at < obligation.directive.received_at:
        raise InvalidInput("An obligation cannot be met before its directive was received.", field="met_at")
    states.check(states.OBLIGATION_TRANSITIONS, obligation.status, ObligationStatus.MET, what="obligation")
    note = require_text(note, field="note", blank=True, max_length=5000)
    pending_escalation = obligation.next_escalation_at
    conditional_update(
        obligation,
        expected_version=expected_version,
        changes={"status": ObligationStatus.MET, "met_at": met_at, "next_escalation_at": None},
    )
    late = met_at > obligation.due_at
    if obligation.deadline_rule == DeadlineRule.IMMEDIATELY:
        minutes = int((met_at - obligation.directive.received_at).total_seconds() // 60)
        timing = f" {minutes} min after receipt"
    else:
        timing = " late" if late else ""
    append_entry(
        directive=obligation.directive,
        kind=EntryKind.OBLIGATION_MET,
        occurred_at=met_at,
        actor=actor,
        now=now,
        obligation=obligation,
        summary=f"Obligation met{timing}: {obligation.title}" + (f". {note}" if note else ""),
        data={
            "due_at": obligation.due_at.isoformat(),
            "met_at": met_at.isoformat(),
            "late": late,
            "note": note,
        },
    )
    stop_escalation(
        obligation=obligation, actor=actor, now=now, reason="obligation met", had_next=pending_escalation
    )
    return obligation


@transaction.atomic
def waive_obligation(
    *, obligation: Obligation, reason: str, actor: Any, now: dt.datetime, expected_version: int | None = None
) -> Obligation:
    require(actor, Action.MANAGE_OBLIGATIONS)
    reason = require_text(reason, field="reason", max_length=5000)
    states.check(states.OBLIGATION_TRANSITIONS, obligation.status, ObligationStatus.WAIVED, what="obligation")
    pending_escalation = obligation.next_escalation_at
    conditional_update(
        obligation,
        expected_version=expected_version,
        changes={"status": ObligationStatus.WAIVED, "next_escalation_at": None},
    )
    append_entry(
        directive=obligation.directive,
        kind=EntryKind.OBLIGATION_WAIVED,
        occurred_at=now,
        actor=actor,
        now=now,
        obligation=obligation,
        summary=f"Obligation waived: {obligation.title}. {reason}",
        data={"reason": reason},
    )
    stop_escalation(
        obligation=obligation, actor=actor, now=now, reason="obligation waived", had_next=pending_escalation
    )
    return obligation
