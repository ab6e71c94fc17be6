"""Products and their access state per audience."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from .. import instants
from ..access import ALL_USERS, everyone_state
from ..choices import AccessState, EntryKind
from ..errors import Conflict, InvalidInput
from ..models import AccessChange, Audience, Directive, Product, ProductAccess
from ..permissions import Action, require
from . import enforcement
from .common import require_text
from .timeline import FUTURE_TOLERANCE, append_entry


@transaction.atomic
def create_product(
    *,
    name: str,
    description: str = "",
    owner_team: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Product:
    require(actor, Action.EDIT_DIRECTIVE)
    name = require_text(name, field="name", max_length=120)
    if Product.objects.filter(name__iexact=name).exists():
        raise Conflict(f"A product named {name!r} already exists.", field="name")
    product = Product.objects.create(
        name=name,
        description=require_text(description, field="description", blank=True, max_length=5000),
        owner_team=require_text(owner_team, field="owner_team", blank=True, max_length=120),
    )
    ProductAccess.objects.bulk_create(
        [
            ProductAccess(product=product, audience=a, state=AccessState.AVAILABLE)
            for a in Audience.objects.all()
        ]
    )
    return product


@transaction.atomic
def record_access_change(
    *,
    product: Product,
    audiences: Sequence[Audience],
    state: AccessState | str,
    directive: Directive,
    occurred_at: dt.datetime,
    actor: Any,
    now: dt.datetime,
    reason: str = "",
    lift_approved: bool = False,
) -> list[AccessChange]:
    """Set ``product``'s access for each audience to ``state`` as of ``occurred_at`` (e.g. Fable 5
    suspended for all users at 17:48 ET), keep the history and append one timeline entry. "All users"
    stands for every audience, and follows them (directives/access.py)."""
    require(actor, Action.RECORD_ACCESS_CHANGE)
    _check_access_change(state=state, audiences=audiences, occurred_at=occurred_at, now=now)
    reason = require_text(reason, field="reason", blank=True, max_length=5000)
    if not lift_approved and _lifts_controlled(product, audiences, state):
        raise InvalidInput(
            f"Lifting a restriction on {product} needs a second person's approval: request the lift.",
            field="state",
        )
    target = AccessState(state)
    chosen = list(audiences)
    if any(a.key == ALL_USERS for a in chosen):
        audiences = list(Audience.objects.order_by("sort_order", "name"))
    else:
        audiences = chosen
    changes = _set_states(
        product=product,
        audiences=audiences,
        target=target,
        directive=directive,
        occurred_at=occurred_at,
        actor=actor,
        now=now,
        reason=reason,
    )
    derived = _follow_all_users(product, directive=directive, occurred_at=occurred_at, actor=actor, now=now)
    if derived is not None:
        changes.append(derived)
    AccessChange.objects.bulk_create(changes)
    names = ", ".join(a.name for a in chosen)
    if derived is not None:
        names += f" (so all users: {AccessState(derived.to_state).label.lower()})"
    append_entry(
        directive=directive,
        kind=EntryKind.ACCESS_CHANGED,
        occurred_at=occurred_at,
        actor=actor,
        now=now,
        product=product,
        summary=f"{product}: access {target.label.lower()} for {names}" + (f". {reason}" if reason else ""),
        data={
            "product": product.name,
            "state": target.value,
            "audiences": [a.key for a in audiences],
            "from": {c.audience.key: c.from_state for c in changes},
            "reason": reason,
        },
    )
    enforcement.request(product=product, directive=directive, actor=actor, now=now)
    return changes


# How restrictive each state is: moving to a lower rank lifts a restriction.
RANK = {AccessState.AVAILABLE: 0, AccessState.RESTRICTED: 1, AccessState.SUSPENDED: 2}


def is_lift(product: Product, audiences: Sequence[Audience], state: str) -> bool:
    """Whether setting ``audiences`` to ``state`` makes any of them less restricted than recorded."""
    keys = [a.key for a in audiences]
    rows = ProductAccess.objects.filter(product=product)
    if ALL_USERS not in keys:
        rows = rows.filter(audience__key__in=keys)
    wanted = RANK[AccessState(state)]
    return any(RANK[AccessState(s)] > wanted for s in rows.values_list("state", flat=True))


def _lifts_controlled(product: Product, audiences: Sequence[Audience], state: str) -> bool:
    return enforcement.control_of(product) is not None and is_lift(product, audiences, state)


def _check_access_change(
    *, state: AccessState | str, audiences: Sequence[Audience], occurred_at: dt.datetime, now: dt.datetime
) -> None:
    if occurred_at.tzinfo is None or occurred_at.utcoffset() is None:
        raise InvalidInput("occurred_at must include a time zone or UTC offset.", field="occurred_at")
    if occurred_at > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            f"occurred_at {instants.legal(occurred_at, instants.UTC, seconds=True)} is in the future.",
            field="occurred_at",
        )
    if state not in AccessState.values:
        raise InvalidInput(f"Unknown access state {state!r}.", field="state")
    if not audiences:
        raise InvalidInput("Choose at least one audience.", field="audiences")


def _set_states(
    *,
    product: Product,
    audiences: Sequence[Audience],
    target: AccessState,
    directive: Directive,
    occurred_at: dt.datetime,
    actor: Any,
    now: dt.datetime,
    reason: str,
) -> list[AccessChange]:
    """Each audience's row set to ``target`` (locked while it changes), and its history row (unsaved)."""
    rows = {
        pa.audience_id: pa
        for pa in ProductAccess.objects.select_for_update().filter(product=product, audience__in=audiences)
    }
    changes: list[AccessChange] = []
    for audience in audiences:
        row = rows.get(audience.pk)
        if row is None:
            row = ProductAccess.objects.create(
                product=product, audience=audience, state=AccessState.AVAILABLE
            )
        previous = AccessState(row.state)
        # A backdated change older than the current state's own change does not overwrite it.
        if row.changed_at is None or occurred_at >= row.changed_at:
            row.state, row.changed_at = target, occurred_at
            row.save(update_fields=["state", "changed_at"])
        changes.append(
            AccessChange(
                product=product,
                audience=audience,
                from_state=previous,
                to_state=target,
                occurred_at=occurred_at,
                recorded_at=now,
                directive=directive,
                actor=actor,
                reason=reason,
            )
        )
    return changes


def _follow_all_users(
    product: Product, *, directive: Directive, occurred_at: dt.datetime, actor: Any, now: dt.datetime
) -> AccessChange | None:
    """Move the product's "All users" row to what the other audiences now read, with its own history row;
    None when it already reads that (or there is no such audience)."""
    everyone = Audience.objects.filter(key=ALL_USERS).first()
    if everyone is None:
        return None
    others = ProductAccess.objects.filter(product=product).exclude(audience=everyone)
    derived = everyone_state(others.values_list("state", flat=True))
    row = ProductAccess.objects.select_for_update().filter(product=product, audience=everyone).first()
    if row is None:
        row = ProductAccess.objects.create(product=product, audience=everyone, state=AccessState.AVAILABLE)
    if derived is None or row.state == derived:
        return None
    previous = row.state
    row.state, row.changed_at = derived, max(occurred_at, row.changed_at or occurred_at)
    row.save(update_fields=["state", "changed_at"])
    return AccessChange(
        product=product,
        audience=everyone,
        from_state=previous,
        to_state=derived,
        occurred_at=occurred_at,
        recorded_at=now,
        directive=directive,
        actor=actor,
        reason="All users follows the audiences.",
    )
