"""Logging an incoming directive with everything that came with it: the products it names, its documents
and its obligations, in one transaction. The intake page and the API call this one service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from ..choices import DeadlineRule, DeliveryChannel, DirectiveKind, Posture
from ..errors import InconsistentInput, InvalidInput
from ..models import Authority, Directive
from .directives import AffectedProduct, add_document, log_directive
from .links import NewLink
from .obligations import add_obligation


@dataclass(frozen=True)
class NewObligation:
    """An obligation of the directive being logged; its due instant is computed from the receipt."""

    title: str
    deadline_rule: DeadlineRule | str
    deadline_amount: int | None = None
    deadline_at: dt.datetime | None = None
    description: str = ""
    convention: dict[str, Any] | None = None  # overrides the authority's counting convention


@transaction.atomic
def log_intake(
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
    effective_from: dt.datetime | None = None,
    posture: Posture | str = Posture.UNDECIDED,
    products: Sequence[AffectedProduct] = (),
    documents: Sequence[UploadedFile] = (),
    obligations: Sequence[NewObligation] = (),
    links: Sequence[NewLink] = (),
) -> Directive:
    """Log the directive (its receipt is timeline entry #1) with its links to directives already logged,
    then each document and each obligation, each
    with its own entry. All of it or nothing: any refusal (a document of a type not accepted, a stated
    deadline before the receipt) rolls every row back, and the files already stored are removed."""
    stored: list[Any] = []
    try:
        directive = log_directive(
            authority=authority,
            reference=reference,
            title=title,
            kind=kind,
            received_at=received_at,
            summary=summary,
            full_text=full_text,
            delivery_channel=delivery_channel,
            effective_from=effective_from,
            posture=posture,
            products=products,
            links=links,
            actor=actor,
            now=now,
        )
        for upload in documents:
            stored.append(add_document(directive=directive, upload=upload, actor=actor, now=now).file)
        for index, item in enumerate(obligations):
            _add_obligation(directive, index, item, actor=actor, now=now)
    except BaseException:
        for file in stored:  # their rows are rolled back: the files must not linger
            file.storage.delete(file.name)
        raise
    return directive


def _add_obligation(
    directive: Directive, index: int, item: NewObligation, *, actor: Any, now: dt.datetime
) -> None:
    """One of the obligations logged with the directive; a refusal names the item's field
    (``obligations.0.deadline_at``). A stated deadline before the receipt given with it is two values of the
    same intake that disagree: ``InconsistentInput`` (422)."""
    try:
        add_obligation(
            directive=directive,
            title=item.title,
            deadline_rule=item.deadline_rule,
            deadline_amount=item.deadline_amount,
            deadline_at=item.deadline_at,
            description=item.description,
            convention=item.convention,
            actor=actor,
            now=now,
        )
    except InvalidInput as exc:
        field = f"obligations.{index}.{exc.field}" if exc.field else f"obligations.{index}"
        stated = item.deadline_at
        if exc.field == "deadline_at" and stated is not None and stated < directive.received_at:
            raise InconsistentInput(exc.message, field=field) from exc
        raise exc.named(field) from exc
