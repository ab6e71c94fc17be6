"""The intake service: a directive with its products, documents and obligations in one transaction, each
with its timeline entry; and nothing at all (rows or files) when any part is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.choices import DeadlineRule, EntryKind
from directives.errors import InvalidInput, NotAllowed
from directives.models import Directive, DirectiveDocument, Obligation, TimelineEntry
from directives.services.directives import AffectedProduct
from directives.services.intake import NewObligation, log_intake

from ..factories import ET_FRIDAY_1721, AuthorityFactory, make_product

NOW = ET_FRIDAY_1721 + dt.timedelta(minutes=19)


def _order_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("order.pdf", b"%PDF-1.4 the order\n", content_type="application/pdf")


def _intake(actor: Any, **overrides: Any) -> Directive:
    args: dict[str, Any] = dict(
        authority=AuthorityFactory(name="U.S. Department of Commerce"),
        reference="BIS-ORD-AI-2026-0417",
        title="Block foreign nationals",
        kind="export_control",
        received_at=ET_FRIDAY_1721,
        products=[AffectedProduct(make_product("Fable 5"), "Block foreign nationals")],
        documents=[_order_pdf()],
        obligations=[
            NewObligation(title="Block foreign nationals", deadline_rule=DeadlineRule.IMMEDIATELY),
            NewObligation(
                title="Confirm in writing", deadline_rule=DeadlineRule.BUSINESS_DAYS, deadline_amount=2
            ),
        ],
        actor=actor,
        now=NOW,
    )
    args.update(overrides)
    return log_intake(**args)


def _stored_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_the_directive_its_products_documents_and_obligations_each_with_its_entry(legal: Any) -> None:
    directive = _intake(legal)
    assert list(directive.products.values_list("name", flat=True)) == ["Fable 5"]
    document = directive.documents.get()
    assert document.original_name == "order.pdf" and len(document.sha256) == 64
    obligations = {o.title: o for o in directive.obligations.all()}
    assert obligations["Block foreign nationals"].due_at == ET_FRIDAY_1721
    # Friday 17:21 ET, two business days: Tuesday 17:21 ET
    assert obligations["Confirm in writing"].due_at == dt.datetime(2026, 12, 1, 22, 21, tzinfo=dt.UTC)
    kinds = list(directive.timeline.order_by("seq").values_list("kind", flat=True))
    assert kinds == [
        EntryKind.RECEIVED,
        EntryKind.DOCUMENT_ADDED,
        EntryKind.OBLIGATION_ADDED,
        EntryKind.OBLIGATION_ADDED,
    ]
    receipt = directive.timeline.get(seq=1)
    assert receipt.occurred_at == ET_FRIDAY_1721 and receipt.recorded_at == NOW
    assert len(_stored_files()) == 1


def test_a_refused_obligation_leaves_nothing_behind(legal: Any) -> None:
    before_receipt = ET_FRIDAY_1721 - dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as caught:
        _intake(
            legal,
            obligations=[
                NewObligation(
                    title="Already late", deadline_rule=DeadlineRule.BY_INSTANT, deadline_at=before_receipt
                )
            ],
        )
    assert "before the receipt" in caught.value.message
    assert not Directive.objects.exists() and not DirectiveDocument.objects.exists()
    assert not Obligation.objects.exists() and not TimelineEntry.objects.exists()
    assert _stored_files() == []  # the document was stored, then removed with its row


def test_a_refused_document_leaves_nothing_behind(legal: Any) -> None:
    script = SimpleUploadedFile("run.sh", b"#!/bin/sh\n", content_type="application/x-sh")
    with pytest.raises(InvalidInput) as caught:
        _intake(legal, documents=[_order_pdf(), script])
    assert caught.value.field == "file" and "run.sh" in caught.value.message
    assert not Directive.objects.exists() and _stored_files() == []


def test_only_legal_may_log_a_directive(engineer: Any) -> None:
    with pytest.raises(NotAllowed):
        _intake(engineer)
    assert not Directive.objects.exists()
