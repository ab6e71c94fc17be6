"""Django's own limits on a multipart body answer the API's JSON error, not Django's HTML 400 page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.models import Directive
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_too_many_files_is_a_json_400(legal: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [SimpleUploadedFile(f"n{i}.txt", b"note", content_type="text/plain") for i in range(3)]
    response = client_for(legal).post(
        "/api/v1/directives/", {"title": "x", "documents": files}, format="multipart"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "at most 2" in response.json()["detail"]
    assert Directive.objects.count() == 0
