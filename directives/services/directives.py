"""Writes on authorities, directives, their products, documents, statements and recorded actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from .. import instants, states
from ..choices import DeliveryChannel, DirectiveKind, DirectiveStatus, EntryKind, Posture
from ..deadlines import BusinessCalendar, zone
from ..errors import Conflict, InvalidInput
from ..instants import check_window
from ..models import Authority, Directive, DirectiveDocument, DirectiveProduct, Product, TimelineEntry
from ..permissions import Action, require
from .common import check_upload, conditional_update, require_text, require_web_address
from .links import NewLink, add_links
from .timeline import FUTURE_TOLERANCE, append_entry


@transaction.atomic
def create_authority(
    *,
    name: str,
    jurisdiction: str,
    time_zone: str,
    calendar_country: str = "US",
    calendar_subdivision: str = "",
    short_name: str = "",
    actor: Any = None,
) -> Authority:
    require(actor, Action.LOG_DIRECTIVE)
    zone(time_zone)  # refuses an unknown zone with a clear message
    BusinessCalendar(calendar_country, calendar_subdivision).holidays_for(2026)
    name = require_text(name, field="name", max_length=200)
    if Authority.objects.filter(name=name).exists():
        raise Conflict(f"An authority named {name!r} already exists.", field="name")
    return Authority.objects.create(
        name=name,
        short_name=require_text(short_name, field="short_name", max_length=40, blank=True),
        jurisdiction=require_text(jurisdiction, field="jurisdiction", max_length=100),
        time_zone=time_zone,
        calendar_country=calendar_country.upper(),
        calendar_subdivision=calendar_subdivision,
    )


@dataclass(frozen=True)
class AffectedProduct:
    product: Product
    required_action: str


def _check_occurred(occurred_at: dt.datetime, now: dt.datetime, *, field: str) -> None:
    instants.check_window(occurred_at, field=field)
    if occurred_at > now + FUTURE_TOLERANCE:
        raise InvalidInput(
            f"{field} {instants.legal(occurred_at, instants.UTC, seconds=True)} is in the future.",
            field=field,
        )


def _check_choices(*, kind: str, delivery_channel: str, posture: str) -> None:
    if kind not in DirectiveKind.values:
        raise InvalidInput(f"Unknown kind {kind!r}.", field="kind")
    if delivery_channel not in DeliveryChannel.values:
        raise InvalidInput(f"Unknown delivery channel {delivery_channel!r}.", field="delivery_channel")
    if posture not in Posture.values:
        raise InvalidInput(f"Unknown posture {posture!r}.", field="posture")


@transaction.atomic
def log_directive(
    *,
    authority: Authority,
    reference: str,
    title: str,
    kind: DirectiveKind | str,
    received_at: dt.datetime,
    actor: Any,
    now: dt.datetime,
    summary: str = "",
    full_text: str = "",
    delivery_channel: DeliveryChannel | str = DeliveryChannel.EMAIL,
    received_by: Any = None,
    effective_from: dt.datetime | None = None,
    posture: Posture | str = Posture.UNDECIDED,
    products: Sequence[AffectedProduct] = (),
    links: Sequence[NewLink] = (),
) -> Directive:
    """Log an incoming order. Its first timeline entry is the receipt, at the receipt instant; then the
    ``links`` it makes to directives already logged ("amends EO-2"), each on both timelines."""
    require(actor, Action.LOG_DIRECTIVE)
    _check_occurred(received_at, now, field="received_at")
    tz = zone(authority.time_zone)
    reference = require_text(reference, field="reference", max_length=120)
    title = require_text(title, field="title", max_length=300)
    _check_choices(kind=kind, delivery_channel=delivery_channel, posture=posture)
    if effective_from is not None:
        instants.check_window(effective_from, field="effective_from")
    if Directive.objects.filter(authority=authority, reference=reference).exists():
        raise Conflict(
            f"{authority} already has a directive with reference {reference!r}.", field="reference"
        )
    try:
        with transaction.atomic():
            directive = Directive.objects.create(
                authority=authority,
                reference=reference,
                title=title,
                kind=kind,
                summary=require_text(summary, field="summary", blank=True, max_length=20_000),
                full_text=require_text(full_text, field="full_text", blank=True, max_length=1_000_000),
                received_at=received_at,
                received_by=received_by or actor,
                delivery_channel=delivery_channel,
                effective_from=effective_from,
                posture=posture,
                created_by=actor,
            )
    except IntegrityError as exc:  # a concurrent log of the same reference
        raise Conflict(f"{authority} already has a directive with reference {reference!r}.") from exc
    local = received_at.astimezone(tz)
    names = []
    for item in products:
        action = require_text(item.required_action, field="required_action", max_length=300)
        DirectiveProduct.objects.create(directive=directive, product=item.product, required_action=action)
        names.append(f"{item.product.name} ({action})")
    append_entry(
        directive=directive,
        kind=EntryKind.RECEIVED,
        occurred_at=received_at,
        actor=actor,
        now=now,
        summary=f"{authority} order {reference} received at {local:%H:%M} {local.tzname()}"
        + (f" via {DeliveryChannel(delivery_channel).label.lower()}" if delivery_channel else "")
        + (f"; names {', '.join(names)}" if names else ""),
        data={
            "reference": reference,
            "title": title,
            "kind": str(kind),
            "received_at_local": local.isoformat(),
            "time_zone": authority.time_zone,
            "products": [{"product": i.product.name, "required_action": i.required_action} for i in products],
        },
    )
    add_links(directive=directive, links=links, actor=actor, now=now)
    return directive


@transaction.atomic
def add_affected_product(
    *,
    directive: Directive,
    product: Product,
    required_action: str,
    actor: Any,
    now: dt.datetime,
    expected_version: int | None = None,
) -> DirectiveProduct:
    """Name another product the directive affects, with what it requires of it. The products named are
    part of the directive: its version moves on (refused with ``StaleVersion`` when the person read an
    older ``expected_version``), and the timeline entry lists the products before and after."""
    require(actor, Action.EDIT_DIRECTIVE)
    action = require_text(required_action, field="required_action", max_length=300)
    if DirectiveProduct.objects.filter(directive=directive, product=product).exists():
        raise Conflict(f"{product} is already named by this directive.", field="product")
    before = [
        f"{link.product.name} ({link.required_action})"
        for link in directive.product_links.select_related("product").order_by("pk")
    ]
    conditional_update(directive, expected_version=expected_version, changes={})
    link = DirectiveProduct.objects.create(directive=directive, product=product, required_action=action)
    after = [*before, f"{product.name} ({action})"]
    append_entry(
        directive=directive,
        kind=EntryKind.ACTION_RECORDED,
        occurred_at=now,
        actor=actor,
        now=now,
        product=product,
        summary=f"{product} added to the directive: {action}. Products named: "
        f"{', '.join(before) or 'none'} → {', '.join(after)}",
        data={"product": product.name, "required_action": action, "before": before, "after": after},
    )
    return link


# The fields of a logged directive that legal may amend (its receipt and authority are the record's
# starting point: a wrong one is corrected on the timeline, not amended).
AMENDABLE_FIELDS = ("title", "reference", "summary", "scope", "effective_from")
_FIELD_LABELS = {"effective_from": "effective from"}


def _amended_value(directive: Directive, name: str, value: Any) -> Any:
    if name == "title":
        return require_text(value, field=name, max_length=300)
    if name == "reference":
        reference = require_text(value, field=name, max_length=120)
        taken = Directive.objects.filter(authority_id=directive.authority_id, reference=reference)
        if taken.exclude(pk=directive.pk).exists():
            raise Conflict(
                f"{directive.authority} already has a directive with reference {reference!r}.", field=name
            )
        return reference
    if name == "summary":
        return require_text(value, field=name, blank=True, max_length=20_000)
    if name == "scope":
        return require_text(value, field=name, blank=True, max_length=5000)
    if name == "effective_from":
        return None if value is None else check_window(value, field=name, label="effective from")
    raise InvalidInput(f"{name!r} cannot be amended; these can: {', '.join(AMENDABLE_FIELDS)}.", field=name)


def _shown(directive: Directive, name: str, value: Any) -> str:
    if name == "effective_from":
        return instants.legal(value, directive.authority) if value is not None else "none"
    text = str(value)
    return f"“{text[:80]}{'…' if len(text) > 80 else ''}”" if text else "empty"


@transaction.atomic
def amend_directive(
    *,
    directive: Directive,
    changes: Mapping[str, Any],
    actor: Any,
    now: dt.datetime,
    expected_version: int | None = None,
) -> Directive:
    """Amend the directive's title, reference, summary, scope or effective instant (``AMENDABLE_FIELDS``;
    a field not in ``changes`` is left as it is). Refused with ``StaleVersion`` when the person read an
    older ``expected_version``; the timeline entry shows each field before and after."""
    require(actor, Action.EDIT_DIRECTIVE)
    wanted = {name: _amended_value(directive, name, value) for name, value in changes.items()}
    changed = {name: value for name, value in wanted.items() if getattr(directive, name) != value}
    if not changed:
        raise InvalidInput("Nothing to amend: every field is as it was.")
    before = {name: getattr(directive, name) for name in changed}
    try:
        with transaction.atomic():
            conditional_update(directive, expected_version=expected_version, changes=changed)
    except IntegrityError as exc:  # a concurrent amendment or log took the reference
        raise Conflict(
            f"{directive.authority} already has a directive with reference {changed.get('reference')!r}.",
            field="reference",
        ) from exc
    parts = [
        f"{_FIELD_LABELS.get(name, name).capitalize()}: {_shown(directive, name, before[name])} → "
        f"{_shown(directive, name, changed[name])}"
        for name in AMENDABLE_FIELDS
        if name in changed
    ]
    append_entry(
        directive=directive,
        kind=EntryKind.DIRECTIVE_AMENDED,
        occurred_at=now,
        actor=actor,
        now=now,
        summary="Directive amended. " + "; ".join(parts),
        data={
            "fields": {
                name: {"from": _plain(before[name]), "to": _plain(changed[name])}
                for name in AMENDABLE_FIELDS
                if name in changed
            }
        },
    )
    return directive


def _plain(value: Any) -> Any:
    return instants.machine(value) if isinstance(value, dt.datetime) else value


@transaction.atomic
def transition_directive(
    *,
    directive: Directive,
    to_status: DirectiveStatus | str,
    actor: Any,
    now: dt.datetime,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Directive:
    require(actor, Action.EDIT_DIRECTIVE)
    occurred_at = occurred_at or now
    _check_occurred(occurred_at, now, field="occurred_at")
    if to_status not in DirectiveStatus.values:
        raise InvalidInput(f"Unknown status {to_status!r}.", field="status")
    current = DirectiveStatus(directive.status)
    target = DirectiveStatus(to_status)
    states.check(states.DIRECTIVE_TRANSITIONS, current, target, what="directive")
    note = require_text(note, field="note", blank=True, max_length=5000)
    conditional_update(directive, expected_version=expected_version, changes={"status": target})
    append_entry(
        directive=directive,
        kind=EntryKind.STATUS_CHANGED,
        occurred_at=occurred_at,
        actor=actor,
        now=now,
        summary=f"Status: {current.label} → {target.label}" + (f". {note}" if note else ""),
        data={"from": current.value, "to": target.value, "note": note},
    )
    return directive


@transaction.atomic
def publish_statement(
    *,
    directive: Directive,
    text: str,
    actor: Any,
    now: dt.datetime,
    occurred_at: dt.datetime | None = None,
    url: str = "",
    posture: Posture | str | None = None,
) -> TimelineEntry:
    """The company's public statement on a directive, optionally setting its posture."""
    require(actor, Action.RECORD_ACTION)
    occurred_at = occurred_at or now
    _check_occurred(occurred_at, now, field="occurred_at")
    text = require_text(text, field="text", max_length=20_000)
    url = require_web_address(url, field="url", blank=True)
    data: dict[str, Any] = {"text": text, "url": url}
    if posture is not None and posture != directive.posture:
        if posture not in Posture.values:
            raise InvalidInput(f"Unknown posture {posture!r}.", field="posture")
        data["posture_from"], data["posture_to"] = directive.posture, str(posture)
        conditional_update(directive, expected_version=None, changes={"posture": posture})
    label = f" ({Posture(directive.posture).label.lower()})" if "posture_to" in data else ""
    return append_entry(
        directive=directive,
        kind=EntryKind.STATEMENT_PUBLISHED,
        occurred_at=occurred_at,
        actor=actor,
        now=now,
        summary=f"Public statement published{label}: {text[:200]}",
        data=data,
    )


@transaction.atomic
def record_action(
    *,
    directive: Directive,
    kind: EntryKind | str,
    summary: str,
    occurred_at: dt.datetime,
    actor: Any,
    now: dt.datetime,
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    """Legal records what happened and when (backdating allowed; the recorded time is the server's)."""
    from ..choices import RECORDABLE_KINDS

    if kind == EntryKind.COMMENT:
        require(actor, Action.COMMENT)
    else:
        require(actor, Action.RECORD_ACTION)
    if kind not in [k.value for k in RECORDABLE_KINDS]:
        allowed = ", ".join(k.label for k in RECORDABLE_KINDS)
        raise InvalidInput(f"{kind!r} cannot be recorded by hand; choose one of: {allowed}.", field="kind")
    _check_occurred(occurred_at, now, field="occurred_at")
    return append_entry(
        directive=directive,
        kind=EntryKind(kind),
        occurred_at=occurred_at,
        actor=actor,
        now=now,
        summary=require_text(summary, field="summary", max_length=20_000),
        data=data,
    )


@transaction.atomic
def add_correction(
    *,
    entry: TimelineEntry,
    summary: str,
    actor: Any,
    now: dt.datetime,
    occurred_at: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    """A correction is a new entry that supersedes ``entry``; the original stays as it was."""
    require(actor, Action.RECORD_ACTION)
    if occurred_at is not None:
        _check_occurred(occurred_at, now, field="occurred_at")
    payload = dict(data or {})
    payload["corrects_seq"] = entry.seq
    if occurred_at is not None:
        payload["corrected_occurred_at"] = occurred_at.isoformat()
    return append_entry(
        directive=entry.directive,
        kind=EntryKind.CORRECTION,
        occurred_at=occurred_at or now,
        actor=actor,
        now=now,
        summary=require_text(summary, field="summary", max_length=20_000),
        data=payload,
        supersedes=entry,
        obligation=entry.obligation,
        task=entry.task,
        product=entry.product,
    )


@transaction.atomic
def add_document(
    *, directive: Directive, upload: UploadedFile, actor: Any, now: dt.datetime
) -> DirectiveDocument:
    require(actor, Action.EDIT_DIRECTIVE)
    sha256, name, size = check_upload(upload)
    doc = DirectiveDocument(
        directive=directive,
        original_name=name,
        content_type=(upload.content_type or "").split(";")[0].strip().lower(),
        size=size,
        sha256=sha256,
        uploaded_by=actor,
        uploaded_at=now,
    )
    doc.file.save(name, upload, save=False)
    doc.save()
    append_entry(
        directive=directive,
        kind=EntryKind.DOCUMENT_ADDED,
        occurred_at=now,
        actor=actor,
        now=now,
        summary=f"Document added: {name} ({size:,} bytes, SHA-256 {sha256[:12]}…)",
        data={"document": doc.pk, "name": name, "size": size, "sha256": sha256},
    )
    return doc
