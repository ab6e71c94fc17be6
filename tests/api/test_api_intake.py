"""``POST /api/v1/directives/``: the intake, as JSON or as multipart/form-data with the documents, through
the same service as the intake page: the directive, its products, obligations and documents, or nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.choices import EntryKind
from directives.models import Directive, DirectiveDocument, Obligation, TimelineEntry
from tests.factories import make_product

from .conftest import client_for, directive_body, new_authority

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 22, 40, tzinfo=dt.UTC)  # Friday 17:40 ET
URL = "/api/v1/directives/"
ORDER_PDF = b"%PDF-1.4 the order as received\n"


@pytest.fixture(autouse=True)
def at_now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield NOW


def test_json_intake_logs_the_obligations_with_the_directive(legal: Any) -> None:
    fable = make_product("Fable 5")
    body = directive_body(
        new_authority().pk,
        products=[{"product": fable.pk, "required_action": "Block foreign nationals"}],
        obligations=[
            {"title": "Block foreign nationals", "deadline_rule": "immediately"},
            {"title": "Confirm in writing", "deadline_rule": "business_days", "deadline_amount": 2},
        ],
    )
    response = client_for(legal).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    directive = Directive.objects.get(pk=response.json()["id"])
    due = dict(directive.obligations.values_list("title", "due_at"))
    assert due["Confirm in writing"] == dt.datetime(2026, 12, 1, 22, 21, tzinfo=dt.UTC)  # Tuesday 17:21 ET
    assert list(directive.timeline.order_by("seq").values_list("kind", flat=True)) == [
        EntryKind.RECEIVED,
        EntryKind.OBLIGATION_ADDED,
        EntryKind.OBLIGATION_ADDED,
    ]


def test_multipart_intake_stores_the_documents_with_their_sha256(legal: Any) -> None:
    fable = make_product("Fable 5")
    body = {
        **directive_body(new_authority().pk),
        "products": json.dumps({"product": fable.pk, "required_action": "Block foreign nationals"}),
        "obligations": [
            json.dumps({"title": "Block foreign nationals", "deadline_rule": "immediately"}),
            json.dumps({"title": "Report", "deadline_rule": "hours", "deadline_amount": 24}),
        ],
        "documents": [
            SimpleUploadedFile("order.pdf", ORDER_PDF, content_type="application/pdf"),
            SimpleUploadedFile("cover.txt", b"Cover letter\n", content_type="text/plain"),
        ],
    }
    response = client_for(legal).post(URL, body, format="multipart")
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["received_at"] == "2026-11-27T22:21:00Z"
    assert answer["products"] == [
        {"product": fable.pk, "name": "Fable 5", "required_action": "Block foreign nationals"}
    ]
    directive = Directive.objects.get(pk=answer["id"])
    documents = {d.original_name: d for d in directive.documents.all()}
    assert set(documents) == {"order.pdf", "cover.txt"}
    assert documents["order.pdf"].file.read() == ORDER_PDF
    assert len(documents["order.pdf"].sha256) == 64
    assert sorted(directive.obligations.values_list("title", flat=True)) == [
        "Block foreign nationals",
        "Report",
    ]
    kinds = list(directive.timeline.order_by("seq").values_list("kind", flat=True))
    assert kinds[0] == EntryKind.RECEIVED and kinds.count(EntryKind.DOCUMENT_ADDED) == 2
    assert kinds.count(EntryKind.OBLIGATION_ADDED) == 2


def test_a_refused_document_is_a_400_naming_it_and_nothing_is_stored(legal: Any) -> None:
    body = {
        **directive_body(new_authority().pk),
        "documents": [
            SimpleUploadedFile("order.pdf", ORDER_PDF, content_type="application/pdf"),
            SimpleUploadedFile("run.sh", b"#!/bin/sh\n", content_type="application/x-sh"),
        ],
    }
    response = client_for(legal).post(URL, body, format="multipart")
    assert response.status_code == 400
    answer = response.json()
    assert answer["field"].startswith("documents") and "run.sh" in answer["detail"]
    assert not Directive.objects.exists() and not DirectiveDocument.objects.exists()


def test_a_refused_obligation_rolls_back_the_directive_and_its_documents(legal: Any) -> None:
    late = {"title": "Too late", "deadline_rule": "by_instant", "deadline_at": "2026-11-26T12:00:00-05:00"}
    body = {
        **directive_body(new_authority().pk),
        "obligations": json.dumps(late),
        "documents": SimpleUploadedFile("order.pdf", ORDER_PDF, content_type="application/pdf"),
    }
    response = client_for(legal).post(URL, body, format="multipart")
    assert response.status_code == 422  # the stated deadline and the receipt sent with it disagree
    assert "before the receipt" in response.json()["detail"]
    assert response.json()["field"] == "obligations.0.deadline_at"
    assert not Directive.objects.exists() and not Obligation.objects.exists()
    assert not DirectiveDocument.objects.exists() and not TimelineEntry.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"authority": "Commerce"}, "authority", "integer"),
        ({"products": "not json"}, "products", "not JSON"),
        ({"products": "[1, 2]"}, "products", "JSON object"),
        ({"obligations": json.dumps({"title": "x", "deadline_rule": "soon"})}, "obligations", "valid choice"),
        ({"received_at": "2026-11-27T17:21:00"}, "received_at", "no time zone"),
    ],
)
def test_a_bad_part_is_a_400_naming_the_field(
    legal: Any, overrides: dict[str, Any], field: str, words: str
) -> None:
    body = {**directive_body(new_authority().pk), **overrides}
    response = client_for(legal).post(URL, body, format="multipart")
    assert response.status_code == 400, response.json()
    answer = response.json()
    assert answer["field"].split(".")[0] == field and words in answer["detail"]
    assert not Directive.objects.exists()


def test_a_retried_multipart_intake_with_its_key_is_logged_once(legal: Any) -> None:
    client = client_for(legal)
    authority = new_authority()

    def post(content: bytes) -> Any:
        document = SimpleUploadedFile("order.pdf", content, content_type="application/pdf")
        body = {**directive_body(authority.pk), "documents": document}
        return client.post(URL, body, format="multipart", HTTP_IDEMPOTENCY_KEY="intake-1")

    first, again = post(ORDER_PDF), post(ORDER_PDF)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert Directive.objects.count() == 1 and DirectiveDocument.objects.count() == 1
    other = post(b"%PDF-1.4 another file under the same name\n")
    assert other.status_code == 422


def test_the_schema_documents_both_forms_of_the_intake(client: Any) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    content = schema["paths"]["/api/v1/directives/"]["post"]["requestBody"]["content"]
    assert content["application/json"]["schema"]["$ref"].endswith("/DirectiveInputRequest")
    multipart = content["multipart/form-data"]
    assert multipart["schema"]["$ref"].endswith("/DirectiveUploadInputRequest")
    assert multipart["encoding"]["products"]["contentType"] == "application/json"
    upload = schema["components"]["schemas"]["DirectiveUploadInputRequest"]["properties"]
    assert upload["documents"]["items"]["format"] == "binary"
    assert "obligations" in schema["components"]["schemas"]["DirectiveInputRequest"]["properties"]
    # The other writes on a directive stay JSON only.
    transition = schema["paths"]["/api/v1/directives/{id}/transition/"]["post"]["requestBody"]["content"]
    assert set(transition) == {"application/json"}
