"""Evidence attached on the task page at any time until the task is verified: links and files (SHA-256
shown), versioned, on the timeline; the files of a submit that failed are kept on the server."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives.choices import EntryKind, TaskStatus
from directives.models import Evidence, RemediationTask, TimelineEntry
from directives.services import tasks as task_services
from tests.selectors.world import NOW, World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% red-team run 12: bypass closed\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def hidden(html: str, form: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)" id="id_{form}_{name}"', html)
    assert match, f"no hidden {name} in the {form} form"
    return match.group(1)


def pdf(name: str = "red-team.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_attach_a_file_and_a_link_before_resolving(client: Any, world: World, engineer: Any) -> None:
    task = world.overdue_p0  # in progress
    client.force_login(engineer)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "Attach evidence" in html and 'enctype="multipart/form-data"' in html
    response = client.post(
        reverse("task_evidence", args=[task.pk]),
        {
            "evidence_links": "https://ci.example/run/12",
            "evidence_files": [pdf()],
            "description": "Red-team suite green",
            "version": hidden(html, "evidence", "version"),
            "snapshot": hidden(html, "evidence", "snapshot"),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "2 pieces of evidence attached." in page
    sha = hashlib.sha256(PDF).hexdigest()
    assert f'SHA-256 <span class="hash">{sha}</span>' in page
    assert "https://ci.example/run/12" in page and "Red-team suite green" in page
    assert f"Evidence added to Patch the jailbreak: red-team.pdf (SHA-256 {sha})" in page  # the timeline
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and task.version == 3  # made in progress (2), evidence (3)
    assert TimelineEntry.objects.filter(task=task, kind=EntryKind.EVIDENCE_ADDED).count() == 2
    # and the task can still be resolved afterwards
    again = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert "Resolve with evidence" in again


def test_a_resolved_task_takes_evidence_a_verified_one_does_not(
    client: Any, world: World, engineer: Any
) -> None:
    client.force_login(engineer)
    resolved = client.get(reverse("task_detail", args=[world.resolved.pk])).content.decode()
    assert "Attach evidence" in resolved
    verified = client.get(reverse("task_detail", args=[world.verified.pk])).content.decode()
    assert "Attach evidence" not in verified
    refused = client.post(
        reverse("task_evidence", args=[world.verified.pk]),
        {"evidence_links": "https://ci.example/late", "version": world.verified.version},
    )
    assert refused.status_code == 409
    assert "A verified task is closed: reopen it to add evidence." in refused.content.decode()
    assert not Evidence.objects.filter(task=world.verified, url="https://ci.example/late").exists()


def test_nothing_to_attach_and_bad_links_name_the_field(client: Any, world: World, engineer: Any) -> None:
    task = world.overdue_p0
    client.force_login(engineer)
    empty = client.post(reverse("task_evidence", args=[task.pk]), {"version": task.version})
    assert empty.status_code == 400
    assert "Nothing to attach: add a link or choose a file." in empty.content.decode()
    bad = client.post(
        reverse("task_evidence", args=[task.pk]),
        {"evidence_links": "javascript:alert(1)", "version": task.version},
    )
    assert bad.status_code == 400
    assert "Not a valid http(s) link: javascript:alert(1)" in bad.content.decode()
    assert not Evidence.objects.filter(task=task).exists()
    assert RemediationTask.objects.get(pk=task.pk).version == task.version


def test_a_failed_submit_keeps_its_files_and_the_next_one_attaches_them(
    client: Any, world: World, engineer: Any
) -> None:
    task = world.overdue_p0
    client.force_login(engineer)
    failed = client.post(
        reverse("task_evidence", args=[task.pk]),
        {"evidence_links": "not a link", "evidence_files": [pdf()], "version": task.version},
    )
    assert failed.status_code == 400
    html = failed.content.decode()
    assert "Already uploaded (kept from your last attempt; untick to drop)" in html
    token = re.search(r'name="staged" value="([^"]+)" checked>\s*red-team.pdf', html)
    assert token and hashlib.sha256(PDF).hexdigest() in html
    assert not Evidence.objects.filter(task=task).exists()
    ok = client.post(
        reverse("task_evidence", args=[task.pk]),
        {"evidence_links": "https://ci.example/1", "staged": [token.group(1)], "version": task.version},
    )
    assert ok.status_code == 302
    assert sorted(e.url or e.original_name for e in Evidence.objects.filter(task=task)) == [
        "https://ci.example/1",
        "red-team.pdf",
    ]


def test_stale_evidence_form_keeps_the_links_and_the_files(
    client: Any, world: World, engineer: Any, legal: Any
) -> None:
    task = world.overdue_p0
    client.force_login(engineer)
    html = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    task_services.edit_task(task=task, actor=legal, now=NOW, title="Patch the Fable 5 jailbreak")
    response = client.post(
        reverse("task_evidence", args=[task.pk]),
        {
            "evidence_links": "https://ci.example/9",
            "evidence_files": [pdf()],
            "version": hidden(html, "evidence", "version"),
            "snapshot": hidden(html, "evidence", "snapshot"),
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "legal-test changed this task while you were working on it" in page
    assert (
        '<th scope="row">Title</th><td>Patch the jailbreak</td><td><strong>Patch the Fable 5 jailbreak</strong>'
        in page
    )
    assert "https://ci.example/9</textarea>" in page and "red-team.pdf" in page  # links and file kept
    assert "choose your evidence files again" not in page
    assert not Evidence.objects.filter(task=task).exists()


def test_only_the_assignee_or_legal_attach(client: Any, world: World, engineer2: Any, executive: Any) -> None:
    task = world.overdue_p0
    for user in (engineer2, executive):
        client.force_login(user)
        assert "Attach evidence" not in client.get(reverse("task_detail", args=[task.pk])).content.decode()
        refused = client.post(
            reverse("task_evidence", args=[task.pk]),
            {"evidence_links": "https://x.example/", "version": task.version},
        )
        assert refused.status_code == 403
    assert not Evidence.objects.filter(task=task).exists()
