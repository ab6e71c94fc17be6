"""POST /api/v1/tasks/{id}/evidence/: a link (JSON) or a file (multipart), at any time until the task is
verified, through the page's service; a version, when sent, is checked."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.models import Evidence, RemediationTask
from directives.services import tasks as task_services
from tests.factories import make_directive, make_task

from .conftest import ET_FRIDAY_1721, client_for

NOW = ET_FRIDAY_1721 + dt.timedelta(minutes=50)
PDF = b"%PDF-1.4\n% CI run 4711\n%%EOF\n"

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(legal: Any, engineer: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        yield make_task(make_directive(actor=legal), actor=legal, assignee=engineer)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_link_as_json(task: Any, engineer: Any) -> None:
    response = client_for(engineer).post(
        f"/api/v1/tasks/{task.pk}/evidence/",
        {"url": "https://ci.example/1", "description": "CI"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["url"]) == ("link", "https://ci.example/1")
    assert RemediationTask.objects.get(pk=task.pk).version == 2


def test_a_file_as_multipart_with_its_sha256(task: Any, engineer: Any) -> None:
    upload = SimpleUploadedFile("ci-run.pdf", PDF, content_type="application/pdf")
    response = client_for(engineer).post(
        f"/api/v1/tasks/{task.pk}/evidence/", {"file": upload, "version": "1"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["original_name"], body["sha256"]) == (
        "file",
        "ci-run.pdf",
        hashlib.sha256(PDF).hexdigest(),
    )
    assert Evidence.objects.get(task=task).file.read() == PDF


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        ({}, "json"),
        ({"url": "javascript:alert(1)"}, "json"),
        (
            {
                "url": "https://a.example/",
                "file": SimpleUploadedFile("a.txt", b"x", content_type="text/plain"),
            },
            "multipart",
        ),
        ({"file": SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")}, "multipart"),
        ({"url": 5}, "json"),
    ],
)
def test_bad_evidence_is_400_and_nothing_stored(task: Any, engineer: Any, body: Any, fmt: str) -> None:
    response = client_for(engineer).post(f"/api/v1/tasks/{task.pk}/evidence/", body, format=fmt)
    assert response.status_code == 400, response.json()
    assert response.json()["field"] in ("url", "file")
    assert not Evidence.objects.filter(task=task).exists()


def test_a_stale_version_is_409_and_a_verified_task_refuses(task: Any, engineer: Any, engineer2: Any) -> None:
    client = client_for(engineer)
    client.post(f"/api/v1/tasks/{task.pk}/evidence/", {"url": "https://ci.example/1"}, format="json")
    stale = client.post(
        f"/api/v1/tasks/{task.pk}/evidence/",
        {"url": "https://ci.example/2"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    task.refresh_from_db()
    task_services.resolve_task(task=task, actor=engineer, resolution="Done", now=NOW)
    task_services.verify_task(task=task, actor=engineer2, now=NOW)
    closed = client.post(f"/api/v1/tasks/{task.pk}/evidence/", {"url": "https://ci.example/3"}, format="json")
    assert closed.status_code == 409
    assert "reopen it" in closed.json()["detail"]
    assert Evidence.objects.filter(task=task).count() == 1


def test_evidence_in_the_schema_takes_json_and_multipart(engineer: Any) -> None:
    schema = client_for(engineer).get("/api/schema/", HTTP_ACCEPT="application/json", format=None).json()
    operation = schema["paths"]["/api/v1/tasks/{id}/evidence/"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(operation["requestBody"]["content"])
    assert "If-Match" in [p["name"] for p in operation.get("parameters", [])]
    patch = schema["paths"]["/api/v1/tasks/{id}/"]["patch"]
    assert "If-Match" in [p["name"] for p in patch.get("parameters", [])]
