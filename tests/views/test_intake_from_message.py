"""Intake from the order's e-mail, through the pages: the form comes back filled in from the message, with
the attachments and the message staged as documents, the receipt from the trusted server's header; what is
not a message is refused with a clear error on its field, nothing staged or saved."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives.models import Directive, SenderMapping
from tests.documents.samples import TRUSTED, order_eml, pdf_bytes
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


def test_the_form_comes_back_filled_in_and_logs_with_the_documents(
    client: Any, legal: Any, settings: Any
) -> None:
    settings.DOCKET_TRUSTED_MAIL_HOSTS = TRUSTED
    bis = AuthorityFactory.create(name="BIS", time_zone="America/New_York")
    SenderMapping.objects.create(sender="@BIS.example.gov", authority=bis)
    pdf = pdf_bytes("The letter.")
    message = order_eml([("letter.pdf", "application/pdf", pdf)])
    client.force_login(legal)
    page = client.post(
        reverse("directive_from_message"),
        {"message": SimpleUploadedFile("order.eml", message, content_type="message/rfc822")},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "BIS</strong>, mapped from the sender" in html, html[html.find("from-message") :][:1500]
    assert "taken from the Received: header added by mx1.company.example" in html
    assert 'value="17:21:04"' in html
    staged = page.context["staged"]
    assert [s.name for s in staged] == ["order.eml", "letter.pdf"]
    form = page.context["form"]
    post = {
        "authority": bis.pk,
        "reference": "BIS-0417",
        "title": form.initial["title"],
        "kind": "mandatory_order",
        "received_date": "2026-11-27",
        "received_time": "17:21:04",
        "delivery_channel": "email",
        "summary": form.initial["summary"],
        "staged": [s.token for s in staged],
        "products-TOTAL_FORMS": "0",
        "products-INITIAL_FORMS": "0",
        "obligations-TOTAL_FORMS": "0",
        "obligations-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("directive_create"), post)
    assert response.status_code == 302, response.content.decode()[:3000]
    directive = Directive.objects.get(reference="BIS-0417")
    assert directive.received_at == dt.datetime(2026, 11, 27, 22, 21, 4, tzinfo=dt.UTC)
    assert {d.original_name: d.sha256 for d in directive.documents.all()} == {
        "order.eml": hashlib.sha256(message).hexdigest(),
        "letter.pdf": hashlib.sha256(pdf).hexdigest(),
    }


def test_what_is_not_a_message_is_refused_on_its_field(client: Any, legal: Any) -> None:
    client.force_login(legal)
    page = client.post(
        reverse("directive_from_message"),
        {"message": SimpleUploadedFile("order.eml", b"hello there", content_type="message/rfc822")},
    )
    assert page.status_code == 400
    assert "The file is not an e-mail" in page.content.decode()
    assert Directive.objects.count() == 0
