"""Evidence and directive documents: stored outside static files, served only to users who may see the
directive, as attachments with the sanitized name; bad uploads refused with a clear message."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives.choices import EntryKind
from directives.errors import InvalidInput
from directives.models import DirectiveDocument, Evidence, TimelineEntry
from directives.services.directives import add_document
from directives.services.tasks import add_evidence
from directives.views.files import download_name

from ..factories import UserFactory, make_directive, make_task

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def directive(legal):
    return make_directive(actor=legal)


@pytest.fixture
def document(directive, legal, now):
    upload = SimpleUploadedFile("Commerce order 2026-0417.pdf", PDF, content_type="application/pdf")
    return add_document(directive=directive, upload=upload, actor=legal, now=now)


@pytest.fixture
def task(directive, legal, engineer):
    return make_task(directive, actor=legal, assignee=engineer)


@pytest.fixture
def evidence(task, engineer, now):
    upload = SimpleUploadedFile("firewall-rules.txt", b"deny all foreign\n", content_type="text/plain")
    return add_evidence(task=task, actor=engineer, now=now, upload=upload, description="Rules as deployed")


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- who may download --------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, document, evidence) -> None:
    for url in (
        reverse("document_download", args=[document.pk]),
        reverse("evidence_download", args=[evidence.task_id, evidence.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_user_without_a_role_is_refused(client, db, document, evidence) -> None:
    nobody = UserFactory(username="no-role")
    client.force_login(nobody)
    for url in (
        reverse("document_download", args=[document.directive_id, document.pk]),
        reverse("evidence_download", args=[evidence.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert b"PDF" not in response.content and b"deny all" not in response.content


def test_inactive_user_is_refused(client, document, auditor) -> None:
    client.force_login(auditor)
    auditor.is_active = False
    auditor.save()
    response = client.get(reverse("document_download", args=[document.pk]))
    assert response.status_code == 302  # the session no longer authenticates: log in again


@pytest.mark.parametrize("who", ["legal", "engineer", "executive", "auditor", "admin_user"])
def test_every_role_that_may_view_the_directive_downloads(client, request, who, document, evidence) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("document_download", args=[document.directive_id, document.pk]))
    assert response.status_code == 200
    assert _body(response) == PDF
    response = client.get(reverse("evidence_download", args=[evidence.task_id, evidence.pk]))
    assert response.status_code == 200
    assert _body(response) == b"deny all foreign\n"


def test_download_is_an_attachment_with_the_sanitized_name_nosniff_and_digest(
    client, auditor, document
) -> None:
    client.force_login(auditor)
    response = client.get(reverse("document_download", args=[document.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="Commerce_order_2026-0417.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"
    digest = base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()


def test_file_of_another_object_is_not_reachable_through_this_one(
    client, legal, auditor, document, evidence, now
) -> None:
    other = make_directive(actor=legal, reference="OTHER-1")
    other_task = make_task(other, actor=legal)
    client.force_login(auditor)
    assert client.get(reverse("document_download", args=[other.pk, document.pk])).status_code == 404
    assert client.get(reverse("evidence_download", args=[other_task.pk, evidence.pk])).status_code == 404
    assert client.get(reverse("document_download", args=[document.pk + 999])).status_code == 404


def test_link_evidence_has_no_file_to_download(client, auditor, task, engineer, now) -> None:
    link = add_evidence(task=task, actor=engineer, now=now, url="https://status.example.com/incident/1")
    client.force_login(auditor)
    assert client.get(reverse("evidence_download", args=[link.pk])).status_code == 404


def test_missing_stored_file_is_a_clear_404_not_a_500(client, auditor, document) -> None:
    document.file.storage.delete(document.file.name)
    client.force_login(auditor)
    response = client.get(reverse("document_download", args=[document.pk]))
    assert response.status_code == 404


def test_post_is_not_allowed(client, auditor, document) -> None:
    client.force_login(auditor)
    assert client.post(reverse("document_download", args=[document.pk])).status_code == 405


# --- where files live --------------------------------------------------------------------------


def test_files_are_stored_by_hash_outside_static_and_not_under_media_url(
    client, auditor, document, evidence
) -> None:
    assert document.file.name == f"directives/{document.directive_id}/{document.sha256}"
    assert evidence.file.name == f"tasks/{evidence.task_id}/{evidence.sha256}"
    media = settings.MEDIA_ROOT
    for static in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]:
        assert not str(media).startswith(str(static))
    client.force_login(auditor)
    assert client.get(settings.MEDIA_URL + document.file.name).status_code == 404
    assert client.get("/static/" + document.file.name).status_code == 404


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("evil\r\nSet-Cookie: a=b.pdf", "evilSet-Cookie_ab.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override removed
        ("..", "fallback"),
        ("", "fallback"),
        ("a" * 500 + ".pdf", "a" * 200),
    ],
)
def test_download_names_are_sanitized(original, expected) -> None:
    assert download_name(original, "fallback") == expected


# --- what may be uploaded ----------------------------------------------------------------------


def test_oversized_upload_is_refused_with_the_limit_and_nothing_is_written(
    directive, legal, task, engineer, now, settings
) -> None:
    settings.DOCKET_MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", b"%PDF" + b"0" * (2 * 1024 * 1024), content_type="application/pdf")
    entries = TimelineEntry.objects.count()
    with pytest.raises(InvalidInput, match=r"scan.pdf is 2.0 MB; the limit is 1 MB") as err:
        add_document(directive=directive, upload=big, actor=legal, now=now)
    assert err.value.field == "file" and err.value.status_code == 400
    big.seek(0)
    with pytest.raises(InvalidInput, match="the limit is 1 MB"):
        add_evidence(task=task, actor=engineer, now=now, upload=big)
    assert not DirectiveDocument.objects.exists() and not Evidence.objects.exists()
    assert TimelineEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        (
            "payload.html",
            b"<script>alert(1)</script>",
            "text/html",
            "files of type text/html are not accepted",
        ),
        ("tool.exe", b"MZ\x90\x00", "application/x-msdownload", "not accepted"),
        ("image.svg", b"<svg onload=alert(1)>", "image/svg+xml", "not accepted"),
        ("fake.pdf", b"<html>not a pdf</html>", "application/pdf", "says it is a PDF but is not one"),
        ("empty.txt", b"", "text/plain", "empty.txt is empty"),
    ],
)
def test_wrong_type_upload_is_refused_with_a_clear_message(
    directive, legal, task, engineer, now, name, content, content_type, message
) -> None:
    with pytest.raises(InvalidInput, match=message):
        add_document(
            directive=directive,
            upload=SimpleUploadedFile(name, content, content_type=content_type),
            actor=legal,
            now=now,
        )
    with pytest.raises(InvalidInput, match=message):
        add_evidence(
            task=task,
            actor=engineer,
            now=now,
            upload=SimpleUploadedFile(name, content, content_type=content_type),
        )
    assert not DirectiveDocument.objects.exists() and not Evidence.objects.exists()


def test_accepted_upload_records_its_sha256_on_the_timeline(document) -> None:
    entry = TimelineEntry.objects.filter(directive=document.directive, kind=EntryKind.DOCUMENT_ADDED).get()
    assert entry.data["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert entry.data["name"] == "Commerce_order_2026-0417.pdf"


# --- the same refusals through the page ------------------------------------------------------------


def _resolve_form(client, task) -> dict:
    from .test_hostile_input import post_forms

    page = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    form = next(f for f in post_forms(page) if f["action"].endswith("/resolve/"))
    return {f["name"]: f["value"] for f in form["fields"]}


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: SimpleUploadedFile(
                "scan.pdf", b"%PDF" + b"0" * (2 * 1024 * 1024), content_type="application/pdf"
            ),
            "scan.pdf is 2.0 MB; the limit is 1 MB",
        ),
        (
            lambda: SimpleUploadedFile(
                "payload.html", b"<script>alert(1)</script>", content_type="text/html"
            ),
            "payload.html: files of type text/html are not accepted",
        ),
    ],
    ids=["oversized", "wrong-type"],
)
def test_bad_upload_through_the_task_page_is_refused_with_the_message_and_loses_nothing(
    client, engineer, task, settings, upload, message
) -> None:
    settings.DOCKET_MAX_UPLOAD_BYTES = 1024 * 1024
    client.force_login(engineer)
    data = _resolve_form(client, task)
    data.update(resolution="Blocked at the edge; rules attached", evidence_files=upload())
    response = client.post(reverse("task_resolve", args=[task.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code in (200, 400, 422)
    assert message in response.content.decode()
    # The typed resolution is still on the form, nothing was written.
    assert "Blocked at the edge; rules attached" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open" and not Evidence.objects.filter(task=task).exists()


def test_an_oversized_upload_is_not_written_to_disk_beyond_the_limit(rf, settings) -> None:
    """The request is read, but only limit + 1 bytes are kept; the real size is reported for the refusal."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from directives.services.common import check_upload

    settings.DOCKET_MAX_UPLOAD_BYTES = 1024 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = b"%PDF" + b"0" * (5 * 1024 * 1024)
    request = rf.post("/", {"file": SimpleUploadedFile("big.pdf", body, content_type="application/pdf")})
    upload = request.FILES["file"]
    assert isinstance(upload, TemporaryUploadedFile)
    assert upload.size == len(body)
    with open(upload.temporary_file_path(), "rb") as stored:
        assert len(stored.read()) == 1024 * 1024 + 1
    with pytest.raises(InvalidInput, match=r"big.pdf is 5.0 MB; the limit is 1 MB"):
        check_upload(upload)


def test_a_file_within_the_limit_is_stored_whole(rf, settings) -> None:
    settings.DOCKET_MAX_UPLOAD_BYTES = 1024 * 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = b"%PDF" + bytes(range(256)) * 4000  # about 1 MB, above the memory threshold
    request = rf.post("/", {"file": SimpleUploadedFile("ok.pdf", body, content_type="application/pdf")})
    upload = request.FILES["file"]
    assert upload.size == len(body) and upload.read() == body
