"""Carrying out access changes through each product's control, and proving them (docs/enforcement.md).

Recording an access change on a controlled product requests it (``request``): an ``Enforcement`` row holding
every audience's recorded state and an idempotency key, written in the change's transaction with its
"requested" timeline entry. The row is the truth; Celery carries only its id. ``attempt`` claims the row
with one conditional UPDATE (a lease and ``attempts + 1``, so two workers cannot both apply it), applies
the states through the connector, then evaluates each audience and confirms when the live access is what
was recorded. Failures back off exponentially; after ``DOCKET_ENFORCEMENT_MAX_ATTEMPTS`` (or a refusal) the
row is dead and escalated. A later request for the same control supersedes an earlier one not yet done.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from ..access import ALL_USERS
from ..choices import AccessState, ConnectorKind, EnforcementStatus, EntryKind
from ..enforcement.connectors import Applied, ConnectorRefused, ConnectorUnavailable, connector_for
from ..errors import InvalidInput
from ..escalation.enforcement import escalate_access
from ..models import Control, Directive, Enforcement, Obligation, Product, ProductAccess
from ..permissions import Action, require
from .timeline import append_entry

log = logging.getLogger("docket.enforcement")

OPEN = [EnforcementStatus.REQUESTED.value, EnforcementStatus.APPLIED.value, EnforcementStatus.FAILED.value]


def recorded_states(product: Product) -> dict[str, str]:
    """Every audience's recorded access for ``product`` (audience key -> state)."""
    return dict(
        ProductAccess.objects.filter(product=product)
        .order_by("audience__sort_order", "audience__key")
        .values_list("audience__key", "state")
    )


def confirmable(states: Mapping[str, str]) -> list[str]:
    """The audiences evaluated to confirm: all but "All users", which follows them (directives/access.py)."""
    own = [k for k in states if k != ALL_USERS]
    return own or list(states)


def _label(states: Mapping[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in states.items())


def control_of(product: Product) -> Control | None:
    return Control.objects.filter(product=product, active=True).select_related("product").first()


def request(
    *, product: Product, directive: Directive, actor: Any, now: dt.datetime, publish: bool = True
) -> Enforcement | None:
    """Inside the access change's transaction: ask the product's control to make its live access equal the
    recorded states; None when the product has no control (access is then only recorded)."""
    control = control_of(product)
    if control is None:
        return None
    Enforcement.objects.filter(control=control, status__in=OPEN).update(
        status=EnforcementStatus.SUPERSEDED, locked_until=None
    )
    states = recorded_states(product)
    enforcement = Enforcement.objects.create(
        control=control,
        directive=directive,
        states=states,
        key=f"docket-{uuid.uuid4().hex}",
        requested_by=actor,
        requested_at=now,
        next_attempt_at=now,
    )
    who = actor.get_username() if actor is not None else "the system"
    append_entry(
        directive=directive,
        kind=EntryKind.ACCESS_REQUESTED,
        occurred_at=now,
        actor=actor,
        now=now,
        product=product,
        summary=f"{product}: access change requested by {who} through its {control.get_kind_display().lower()}"
        f" control ({_label(states)})",
        data={
            "enforcement": enforcement.key,
            "connector": control.kind,
            "states": states,
            "requested_by": who,
        },
    )
    if publish and control.kind != ConnectorKind.MANUAL:
        transaction.on_commit(lambda: _publish(enforcement.pk))
    return enforcement


def _publish(enforcement_id: int) -> None:
    """Ring the doorbell: the worker's task, found by its name in the Celery app's registry (the task module
    calls this module, not the other way round)."""
    try:
        current_app.tasks["directives.tasks.apply_enforcement"].delay(enforcement_id)
    except Exception:  # the beat relay re-drives it from the database
        log.warning("enforcement %s: broker unavailable, beat will re-drive it", enforcement_id)


def backoff(attempts: int) -> dt.timedelta:
    base = settings.DOCKET_ENFORCEMENT_BACKOFF_SECONDS
    cap = settings.DOCKET_ENFORCEMENT_BACKOFF_MAX_SECONDS
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def claim(enforcement_id: int, *, now: dt.datetime) -> bool:
    """Take the row for one attempt: one conditional UPDATE, so of two workers at once only one wins."""
    # Only the row's own columns in this UPDATE: a join would make Django filter through a subquery,
    # which PostgreSQL does not re-check after waiting for the other worker's lock.
    manual = Enforcement.objects.filter(pk=enforcement_id, control__kind=ConnectorKind.MANUAL).exists()
    lease = now + dt.timedelta(seconds=settings.DOCKET_ENFORCEMENT_LEASE_SECONDS)
    return not manual and bool(
        Enforcement.objects.filter(pk=enforcement_id, status__in=OPEN, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=lease, attempts=F("attempts") + 1)
    )


def attempt(*, enforcement_id: int, now: dt.datetime, clock: Callable[[], dt.datetime] | None = None) -> str:
    """One attempt: apply (unless already applied), then evaluate as each audience and confirm. Returns the
    outcome ("confirmed", "applied", "failed", "dead" or "skipped" when another worker holds the row)."""
    if not claim(enforcement_id, now=now):
        return "skipped"
    clock = clock or (lambda: now)
    e = Enforcement.objects.select_related("control__product", "control__owner", "directive").get(
        pk=enforcement_id
    )
    product = e.control.product.name
    try:
        connector = connector_for(e.control.kind)
        if e.applied_at is None:
            applied = connector.apply(target=e.control.target, product=product, states=e.states, key=e.key)
            if not _record_applied(e, applied, now=clock()):
                return "skipped"
        live = {
            a: connector.evaluate(target=e.control.target, product=product, audience=a)
            for a in confirmable(e.states)
        }
    except ConnectorUnavailable as exc:
        return _record_failure(e, error=str(exc), permanent=False, now=clock())
    except ConnectorRefused as exc:
        return _record_failure(e, error=str(exc), permanent=True, now=clock())
    except Exception as exc:  # a connector's bug: retried, and dead after the last attempt, never stuck
        log.exception("enforcement %s: the %s connector failed", e.pk, e.control.kind)
        return _record_failure(
            e, error=f"connector error: {type(exc).__name__}", permanent=False, now=clock()
        )
    differs = {a: s for a, s in live.items() if s != e.states.get(a)}
    if differs:
        error = "not yet confirmed: " + _label({a: f"live {s}" for a, s in differs.items()})
        return _record_failure(e, error=error, permanent=False, now=clock())
    _record_confirmed(e, live, now=clock())
    return EnforcementStatus.CONFIRMED.value


@transaction.atomic
def _record_applied(e: Enforcement, applied: Applied, *, now: dt.datetime) -> bool:
    """The "applied" instant and entry, once; False when the row was superseded meanwhile."""
    updated = Enforcement.objects.filter(pk=e.pk, status__in=OPEN, applied_at__isnull=True).update(
        status=EnforcementStatus.APPLIED, applied_at=now, applied_detail=applied.detail
    )
    if not updated:
        return False
    e.applied_at, e.applied_detail = now, applied.detail
    append_entry(
        directive=e.directive,
        kind=EntryKind.ACCESS_APPLIED,
        occurred_at=now,
        actor=None,
        now=now,
        product=e.control.product,
        summary=f"{e.control.product}: access change applied by its {e.control.get_kind_display().lower()}"
        f" control",
        data={"enforcement": e.key, "connector": e.control.kind, "answer": applied.detail},
    )
    return True


@transaction.atomic
def _record_confirmed(e: Enforcement, live: Mapping[str, str], *, now: dt.datetime, by: str = "") -> None:
    updated = Enforcement.objects.filter(pk=e.pk, status__in=OPEN).update(
        status=EnforcementStatus.CONFIRMED,
        confirmed_at=now,
        confirmed_states=dict(live),
        locked_until=None,
        last_error="",
    )
    if not updated:
        return
    append_entry(
        directive=e.directive,
        kind=EntryKind.ACCESS_CONFIRMED,
        occurred_at=now,
        actor=None,
        now=now,
        product=e.control.product,
        summary=f"{e.control.product}: access confirmed "
        + (f"by {by}" if by else "evaluated as each audience")
        + f" ({_label(live)})",
        data={
            "enforcement": e.key,
            "connector": e.control.kind,
            "evaluated": dict(live),
            "confirmed_by": by,
            # every audience suspended: the dashboard's receipt -> shutdown counts from this instant
            "suspended": all(v == AccessState.SUSPENDED for v in live.values()),
        },
    )


@transaction.atomic
def _record_failure(e: Enforcement, *, error: str, permanent: bool, now: dt.datetime) -> str:
    row = Enforcement.objects.select_for_update().filter(pk=e.pk, status__in=OPEN).first()
    if row is None:
        return "skipped"
    error = error[:500]
    if permanent or row.attempts >= settings.DOCKET_ENFORCEMENT_MAX_ATTEMPTS:
        row.status, row.dead_at, row.failed_at, row.last_error = EnforcementStatus.DEAD, now, now, error
        row.locked_until = None
        row.save(update_fields=["status", "dead_at", "failed_at", "last_error", "locked_until"])
        _dead(row, e, error=error, now=now)
        return EnforcementStatus.DEAD.value
    row.status = EnforcementStatus.APPLIED if row.applied_at else EnforcementStatus.FAILED
    row.failed_at, row.last_error, row.locked_until = now, error, None
    row.next_attempt_at, row.dispatched_at = now + backoff(row.attempts), None
    row.save(
        update_fields=[
            "status",
            "failed_at",
            "last_error",
            "locked_until",
            "next_attempt_at",
            "dispatched_at",
        ]
    )
    log.warning("enforcement %s attempt %s failed: %s", e.pk, row.attempts, error)
    return EnforcementStatus.FAILED.value


def _dead(row: Enforcement, e: Enforcement, *, error: str, now: dt.datetime) -> None:
    product = e.control.product
    append_entry(
        directive=e.directive,
        kind=EntryKind.ACCESS_FAILED,
        occurred_at=now,
        actor=None,
        now=now,
        product=product,
        summary=f"{product}: access change not carried out after {row.attempts} attempt(s): {error}",
        data={"enforcement": e.key, "attempts": row.attempts, "error": error},
    )
    if row.escalated_at is None:
        _escalate(row, e, why=f"the access change failed: {error}", now=now)


def _escalate(row: Enforcement, e: Enforcement, *, why: str, now: dt.datetime) -> None:
    Enforcement.objects.filter(pk=row.pk).update(escalated_at=now)
    product = e.control.product
    escalate_access(
        directive=e.directive,
        control=e.control,
        subject=f"[Docket] {product}: access change not confirmed",
        text=f"{e.directive.reference}: {product}'s access change is not confirmed; {why}.",
        data={"key": e.key, "product": product.name, "states": e.states, "error": row.last_error},
        stamp=f"enforcement:{e.key}",
        now=now,
    )


def escalate_near_deadlines(*, now: dt.datetime) -> int:
    """Escalate (once) each open change whose directive has an open obligation due within
    ``DOCKET_ENFORCEMENT_ESCALATE_BEFORE_SECONDS`` (or already past)."""
    horizon = now + dt.timedelta(seconds=settings.DOCKET_ENFORCEMENT_ESCALATE_BEFORE_SECONDS)
    near = Obligation.objects.filter(status="open", due_at__lte=horizon).values("directive_id")
    count = 0
    for e in Enforcement.objects.select_related("control__product", "control__owner", "directive").filter(
        status__in=OPEN, escalated_at__isnull=True, directive_id__in=near
    ):
        with transaction.atomic():
            row = Enforcement.objects.select_for_update().filter(pk=e.pk, escalated_at__isnull=True).first()
            if row is None:
                continue
            _escalate(row, e, why="the directive's deadline is near", now=now)
            count += 1
    return count


def claim_for_dispatch(*, now: dt.datetime, limit: int = 500) -> list[int]:
    """Due rows not dispatched within a lease: marked dispatched, their ids returned to publish. ``SKIP
    LOCKED`` lets two relays run at once without taking the same rows."""
    lease = dt.timedelta(seconds=settings.DOCKET_ENFORCEMENT_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            Enforcement.objects.select_for_update(skip_locked=True)
            .filter(status__in=OPEN, next_attempt_at__lte=now)
            .exclude(control__kind=ConnectorKind.MANUAL)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - lease))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Enforcement.objects.filter(pk__in=ids).update(dispatched_at=now)
    return ids


def run_due(*, now: dt.datetime, clock: Callable[[], dt.datetime] | None = None) -> dict[str, int]:
    """Attempt every due change in this process (tests, the benchmark, ``enforce --inline``)."""
    counts: dict[str, int] = {}
    for pk in claim_for_dispatch(now=now):
        outcome = attempt(enforcement_id=pk, now=now, clock=clock)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@transaction.atomic
def confirm_manually(*, enforcement: Enforcement, actor: Any, now: dt.datetime) -> Enforcement:
    """A person says the manual control now shows the recorded states: applied and confirmed, by them."""
    require(actor, Action.RECORD_ACCESS_CHANGE)
    row = (
        Enforcement.objects.select_for_update()
        .select_related("control__product", "directive")
        .get(pk=enforcement.pk)
    )
    if row.control.kind != ConnectorKind.MANUAL or row.status not in OPEN:
        raise InvalidInput("Only an open change on a manual control is confirmed by a person.")
    who = actor.get_username() if actor is not None else "the system"
    applied = Applied(detail={"confirmed_by": who})
    row.attempts += 1
    row.save(update_fields=["attempts"])
    _record_applied(row, applied, now=now)
    _record_confirmed(row, {a: row.states[a] for a in confirmable(row.states)}, now=now, by=who)
    row.refresh_from_db()
    return row
