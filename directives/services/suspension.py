"""One-click suspension of every product a directive names, and lifting a restriction on a controlled
product, which a second person approves before it is carried out (docs/enforcement.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from ..access import ALL_USERS
from ..choices import AccessState, EntryKind, LiftStatus
from ..errors import InvalidInput
from ..models import AccessChange, Audience, Directive, Enforcement, LiftRequest, Product
from ..permissions import Action, require
from .common import require_text
from .enforcement import control_of
from .products import is_lift, record_access_change
from .timeline import append_entry


def change_access(
    *,
    product: Product,
    audiences: Sequence[Audience],
    state: str,
    directive: Directive,
    occurred_at: dt.datetime,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
) -> list[AccessChange] | LiftRequest:
    """What the access form and the API call: the change, or, when it lifts a restriction on a controlled
    product, a lift request waiting for a second person."""
    if state in AccessState.values and control_of(product) is not None and is_lift(product, audiences, state):
        return request_lift(
            product=product,
            audiences=audiences,
            state=state,
            directive=directive,
            actor=actor,
            now=now,
            reason=reason,
        )
    return record_access_change(
        product=product,
        audiences=audiences,
        state=state,
        directive=directive,
        occurred_at=occurred_at,
        actor=actor,
        now=now,
        reason=reason,
    )


@transaction.atomic
def suspend_all(*, directive: Directive, actor: Any, now: dt.datetime, reason: str = "") -> list[Enforcement]:
    """Suspend every audience of every product ``directive`` names, in one step; each controlled product's
    change is requested through its control. Returns the requested enforcements."""
    require(actor, Action.SUSPEND_PRODUCTS, directive)
    reason = require_text(reason, field="reason", blank=True, max_length=5000) or "One-click suspension."
    products = list(directive.products.order_by("name"))
    if not products:
        raise InvalidInput("This directive names no product to suspend.")
    everyone = list(Audience.objects.filter(key=ALL_USERS)) or list(Audience.objects.all())
    started = Enforcement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for product in products:
        record_access_change(
            product=product,
            audiences=everyone,
            state=AccessState.SUSPENDED,
            directive=directive,
            occurred_at=now,
            actor=actor,
            now=now,
            reason=reason,
        )
    return list(Enforcement.objects.filter(pk__gt=started, directive=directive).order_by("pk"))


@transaction.atomic
def request_lift(
    *,
    product: Product,
    audiences: Sequence[Audience],
    state: str,
    directive: Directive,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
) -> LiftRequest:
    require(actor, Action.RECORD_ACCESS_CHANGE)
    if state not in AccessState.values:
        raise InvalidInput(f"Unknown access state {state!r}.", field="state")
    if not audiences:
        raise InvalidInput("Choose at least one audience.", field="audiences")
    reason = require_text(reason, field="reason", blank=True, max_length=5000)
    lift = LiftRequest.objects.create(
        directive=directive,
        product=product,
        audiences=[a.key for a in audiences],
        state=state,
        reason=reason,
        requested_by=actor,
        requested_at=now,
    )
    names = ", ".join(a.name for a in audiences)
    append_entry(
        directive=directive,
        kind=EntryKind.LIFT_REQUESTED,
        occurred_at=now,
        actor=actor,
        now=now,
        product=product,
        summary=f"{product}: lift to {AccessState(state).label.lower()} for {names} requested by "
        f"{actor.get_username()}; a second person must approve it" + (f". {reason}" if reason else ""),
        data={"lift": lift.pk, "audiences": lift.audiences, "state": state, "reason": reason},
    )
    return lift


@transaction.atomic
def approve_lift(*, lift: LiftRequest, actor: Any, now: dt.datetime) -> LiftRequest:
    """A second person approves: the change is recorded as of now and carried out through the control."""
    row = LiftRequest.objects.select_for_update().select_related("product", "directive").get(pk=lift.pk)
    require(actor, Action.APPROVE_LIFT, row)
    if row.status != LiftStatus.PENDING:
        raise InvalidInput(f"This lift is already {row.get_status_display().lower()}.")
    row.status, row.approved_by, row.approved_at = LiftStatus.APPROVED, actor, now
    row.save(update_fields=["status", "approved_by", "approved_at"])
    append_entry(
        directive=row.directive,
        kind=EntryKind.LIFT_APPROVED,
        occurred_at=now,
        actor=actor,
        now=now,
        product=row.product,
        summary=f"{row.product}: lift approved by {actor.get_username()} (requested by "
        f"{row.requested_by.get_username()})",
        data={"lift": row.pk, "requested_by": row.requested_by.get_username()},
    )
    record_access_change(
        product=row.product,
        audiences=list(Audience.objects.filter(key__in=row.audiences)),
        state=row.state,
        directive=row.directive,
        occurred_at=now,
        actor=actor,
        now=now,
        reason=row.reason,
        lift_approved=True,
    )
    return row
