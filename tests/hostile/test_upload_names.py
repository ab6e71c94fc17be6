"""A file whose name is nothing but dots ("..") is refused with a message that says so, on the intake page
and through the API; nothing is stored."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from directives.models import Directive, DirectiveDocument
from tests.api.conftest import client_for, directive_body, new_authority
from tests.views.test_intake import _post_data

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 an order\n"


def _named(name: str) -> io.BytesIO:
    """A PDF sent under ``name`` (Django's own file objects refuse such names)."""
    upload = io.BytesIO(PDF)
    upload.name = name
    upload.content_type = "application/pdf"  # type: ignore[attr-defined]
    return upload


@pytest.mark.parametrize("name", ["..", "../.."])
def test_an_upload_named_dots_is_refused_on_the_intake_page(client: Client, legal: Any, name: str) -> None:
    client.force_login(legal)
    data = _post_data(new_authority(name="Commerce"), [])
    data["documents"] = [_named(name)]
    response = client.post(reverse("directive_create"), data)
    assert response.status_code == 400
    assert "A file needs a name" in response.content.decode()
    assert Directive.objects.count() == 0 and DirectiveDocument.objects.count() == 0


def test_an_upload_named_dots_is_refused_by_the_api(legal: Any) -> None:
    body = {**directive_body(new_authority().pk), "documents": [_named("..")]}
    response = client_for(legal).post("/api/v1/directives/", body, format="multipart")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "documents"
    assert "A file needs a name" in response.json()["detail"]
    assert Directive.objects.count() == 0
