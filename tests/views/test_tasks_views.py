"""Engineers' pages: who sees which buttons, who may post, stale forms, evidence limits, htmx fragments."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives.choices import EntryKind, TaskStatus
from directives.models import Evidence, RemediationTask, TimelineEntry
from directives.services import tasks as task_services
from tests.factories import UserFactory
from tests.selectors.world import NOW, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def html_of(response: Any) -> str:
    return response.content.decode()


def hidden(html: str, form: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)" id="id_{form}_{name}"', html)
    assert match, f"no hidden {name} in the {form} form"
    return match.group(1)


def entries(task: RemediationTask) -> int:
    return TimelineEntry.objects.filter(task=task).count()


# --- My tasks ------------------------------------------------------------------------------------


def test_my_tasks_board_marks_overdue_and_escalated_with_text(
    client: Any, world: World, engineer: Any
) -> None:
    client.force_login(engineer)
    response = client.get(reverse("my_tasks"))
    assert response.status_code == 200
    html = html_of(response)
    for title in ("Patch the jailbreak", "Draft the plan", "Red-team suite", "Kill switch", "Block API"):
        assert title in html
    assert "Federal release" not in html  # engineer2's
    assert '<span class="badge badge--overdue">Overdue</span>' in html
    assert "Escalated: level 1 of 2" in html  # its priority's ladder has two levels
    assert "16 h 39 min overdue" in html  # due Saturday 17:21 ET, now Sunday 10:00 ET
    assert "due in 12 h" in html
    # In the reader's zone (the company's: no preference), words with a weekday, the machine reading
    # only in the attribute.
    assert '<time class="when__local" datetime="2026-11-28T22:21:00Z">Sat 28 Nov 2026, 17:21 EST' in html
    assert "Awaiting my verification" in html and "Nothing to verify" in html
    assert "Nothing blocked." in html  # empty column says so


def test_awaiting_my_verification_for_the_other_engineer(client: Any, world: World, engineer2: Any) -> None:
    client.force_login(engineer2)
    html = html_of(client.get(reverse("my_tasks")))
    awaiting = html.split("Awaiting my verification", 1)[1]
    assert "Kill switch" in awaiting and "Resolved by eng-test" in awaiting


def test_executive_has_no_verification_section(client: Any, world: World, executive: Any) -> None:
    client.force_login(executive)
    html = html_of(client.get(reverse("my_tasks")))
    assert "Awaiting my verification" not in html
    assert "0 tasks assigned to you" in html


def test_anonymous_goes_to_login_and_roleless_is_refused(client: Any, world: World) -> None:
    response = client.get(reverse("my_tasks"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(username="nobody"))
    response = client.get(reverse("task_detail", args=[world.soon.pk]))
    assert response.status_code == 403
    assert "no role" in html_of(response)


def test_my_tasks_columns_are_bounded_with_exact_counts(
    client: Any, world: World, engineer: Any, legal: Any
) -> None:
    # 53 more open tasks, all overdue: the open column holds 55, shows its 50 most urgent (the most
    # overdue), and "Draft the plan" and the escalated "Red-team suite" are among the 5 in the task list.
    for n in range(53):
        task_services.create_task(
            directive=world.order,
            title=f"Bulk {n:02d}",
            actor=legal,
            now=NOW,
            assignee=engineer,
            due_at=NOW - dt.timedelta(minutes=10 * (n + 1)),
        )
    client.force_login(engineer)
    html = html_of(client.get(reverse("my_tasks")))
    open_column = html.split('id="col-open"', 1)[1].split('id="col-in_progress"', 1)[0]
    titles = re.findall(r'<a href="/tasks/\d+/">([^<]+)</a>', open_column)
    assert titles == [f"Bulk {n:02d}" for n in range(52, 2, -1)]  # most overdue first, 50 of them
    assert re.search(r'id="count-open">55<', html) and re.search(r'id="count-in_progress">1<', html)
    more = re.search(r'id="more-open"><a href="([^"]+)">([^<]+)</a>', html)
    assert more and more.group(2) == "5 more open tasks"
    assert more.group(1) == "/tasks/?assignee=me&amp;status=open"
    assert 'id="more-in_progress"' not in html  # a column that fits has no link
    # The tiles count every task, not the cards shown: 53 + "Patch the jailbreak" overdue, and the
    # escalated task is not on the board.
    assert "58 tasks assigned to you" in html and "each column shows its 50 most urgent" in html
    assert re.search(r'id="mine-overdue">54 overdue<', html)
    assert re.search(r'id="mine-escalated">1 escalated<', html) and "Red-team suite" not in html

    listing = html_of(client.get(more.group(1).replace("&amp;", "&")))
    assert "55 tasks match the filters" in listing
    assert "Page 1 of 3" in listing and "Bulk 52" in listing  # the same order: the most urgent first


def test_my_tasks_within_the_limit_shows_everything(client: Any, world: World, engineer: Any) -> None:
    client.force_login(engineer)
    html = html_of(client.get(reverse("my_tasks")))
    assert "5 tasks assigned to you" in html and "each column shows" not in html and "more-" not in html
    assert re.search(r'id="count-open">2<', html) and re.search(r'id="count-blocked">0<', html)


# --- The list --------------------------------------------------------------------------------------


def test_task_list_filters_and_empty_state(client: Any, world: World, engineer: Any) -> None:
    client.force_login(engineer)
    html = html_of(client.get(reverse("task_list"), {"status": "blocked"}))
    assert "Federal release" in html and "Patch the jailbreak" not in html
    html = html_of(client.get(reverse("task_list"), {"overdue": "on"}))
    assert "Patch the jailbreak" in html and "Low priority overdue" in html and "Draft the plan" not in html
    html = html_of(client.get(reverse("task_list"), {"assignee": "me", "priority": "P0"}))
    assert "Patch the jailbreak" in html and "Block API" in html and "Federal release" not in html
    html = html_of(client.get(reverse("task_list"), {"directive": world.late.pk}))
    assert "Low priority overdue" in html and "Kill switch" not in html
    html = html_of(client.get(reverse("task_list"), {"assignee": "none"}))
    assert "No tasks match these filters" in html


def test_task_list_pagination_and_htmx_fragment(client: Any, world: World, engineer: Any, legal: Any) -> None:
    for n in range(30):
        task_services.create_task(directive=world.order, title=f"Bulk {n:02d}", actor=legal, now=NOW)
    client.force_login(engineer)
    first = html_of(client.get(reverse("task_list")))
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get(reverse("task_list"), {"page": 2, "status": "open"})
    assert second.status_code == 200
    page2 = html_of(second)
    assert "Page 2 of 2" in page2 and "status=open&amp;page=1" in page2
    fragment = client.get(reverse("task_list"), {"status": "open"}, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "<html" not in html_of(fragment) and 'id="results"' in html_of(fragment)


# --- Task page: what is shown to whom --------------------------------------------------------------


def test_assignee_sees_allowed_moves_only(client: Any, world: World, engineer: Any) -> None:
    client.force_login(engineer)
    html = html_of(client.get(reverse("task_detail", args=[world.overdue_p0.pk])))
    select = html.split('name="to_status"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([a-z_]+)"', select)
    assert options == [
        "open",
        "blocked",
    ]  # from in progress; resolved has its own form, verified is not a move
    assert "Resolve with evidence" in html and "Reassign" in html and "Change due date" in html
    assert "Patch the jailbreak" in html and world.order.reference in html


def test_other_engineer_sees_no_work_buttons_and_is_refused(
    client: Any, world: World, engineer2: Any
) -> None:
    client.force_login(engineer2)
    url = reverse("task_detail", args=[world.overdue_p0.pk])
    html = html_of(client.get(url))
    assert "Change status" not in html and "Resolve with evidence" not in html
    assert "Only the assignee (or legal) can change this task" in html
    before = entries(world.overdue_p0)
    response = client.post(
        reverse("task_status", args=[world.overdue_p0.pk]),
        {"to_status": "blocked", "version": world.overdue_p0.version},
    )
    assert response.status_code == 403
    assert "Only the assignee (or legal) can change this task." in html_of(response)
    world.overdue_p0.refresh_from_db()
    assert world.overdue_p0.status == TaskStatus.IN_PROGRESS and entries(world.overdue_p0) == before
    response = client.post(
        reverse("task_resolve", args=[world.overdue_p0.pk]),
        {"resolution": "not mine", "version": world.overdue_p0.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert "Only the assignee (or legal) can change this task." in html_of(response)
    assert "<html" not in html_of(response)


def test_executive_can_read_and_comment_only(client: Any, world: World, executive: Any) -> None:
    client.force_login(executive)
    html = html_of(client.get(reverse("task_detail", args=[world.soon.pk])))
    assert "Comment" in html
    for hidden_action in ("Change status", "Resolve with evidence", "Reassign", "Change due date"):
        assert hidden_action not in html
    response = client.post(reverse("task_reassign", args=[world.soon.pk]), {"assignee": "", "version": 1})
    assert response.status_code == 403
    assert "this needs: Engineering, Legal" in html_of(response)
    response = client.post(reverse("task_comment", args=[world.soon.pk]), {"text": "When will this be done?"})
    assert response.status_code == 302
    assert TimelineEntry.objects.filter(task=world.soon, kind=EntryKind.COMMENT).get().actor == executive


def test_legal_may_work_any_task(client: Any, world: World, legal: Any) -> None:
    client.force_login(legal)
    task = world.soon
    response = client.post(
        reverse("task_status", args=[task.pk]), {"to_status": "in_progress", "version": task.version}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and task.updated_by == legal


# --- Status change, resolve, verify --------------------------------------------------------------


def test_status_change_with_htmx_returns_the_fragment(client: Any, world: World, engineer: Any) -> None:
    client.force_login(engineer)
    task = world.soon
    response = client.post(
        reverse("task_status", args=[task.pk]),
        {"to_status": "blocked", "note": "Waiting on BIS", "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html and 'id="task-body"' in html
    assert "Moved to Blocked." in html
    task.refresh_from_db()
    assert task.status == TaskStatus.BLOCKED
    last = TimelineEntry.objects.filter(task=task).order_by("-seq").first()
    assert last is not None and last.kind == EntryKind.TASK_UPDATED and "Waiting on BIS" in last.summary


def test_resolve_with_links_and_files_then_second_person_verifies(
    client: Any, world: World, engineer: Any, engineer2: Any
) -> None:
    task = world.overdue_p0
    client.force_login(engineer)
    page = html_of(client.get(reverse("task_detail", args=[task.pk])))
    report = SimpleUploadedFile("fix-report.pdf", b"%PDF-1.4 the fix\n", content_type="application/pdf")
    response = client.post(
        reverse("task_resolve", args=[task.pk]),
        {
            "resolution": "Classifier retrained; bypass no longer works.",
            "evidence_links": "https://ci.example/run/1\n\nhttps://tickets.example/SEC-9",
            "evidence_files": [report],
            "version": hidden(page, "resolve", "version"),
            "snapshot": hidden(page, "resolve", "snapshot"),
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED and task.resolved_by == engineer
    evidence = list(Evidence.objects.filter(task=task).order_by("pk"))
    assert [e.url or e.original_name for e in evidence] == [
        "https://ci.example/run/1",
        "https://tickets.example/SEC-9",
        "fix-report.pdf",
    ]
    sha = evidence[2].sha256
    assert len(sha) == 64
    html = html_of(client.get(reverse("task_detail", args=[task.pk])))
    assert sha in html and "fix-report.pdf" in html
    assert "You resolved this task, so someone else must verify it." in html
    assert f'action="/tasks/{task.pk}/verify/"' not in html

    # The resolver cannot verify, even by posting directly.
    refused = client.post(reverse("task_verify", args=[task.pk]), {"version": task.version})
    assert refused.status_code == 403
    assert "A task must be verified by someone other than the person who resolved it." in html_of(refused)
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED

    client.force_login(engineer2)
    page = html_of(client.get(reverse("task_detail", args=[task.pk])))
    assert "Verify (second person)" in page
    response = client.post(
        reverse("task_verify", args=[task.pk]),
        {"note": "Checked CI run", "version": hidden(page, "verify", "version")},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.VERIFIED and task.verified_by == engineer2
    assert TimelineEntry.objects.filter(task=task, kind=EntryKind.TASK_VERIFIED).count() == 1


def test_evidence_file_too_big_is_refused_and_nothing_is_lost(
    client: Any, world: World, engineer: Any, settings: Any
) -> None:
    settings.DOCKET_MAX_UPLOAD_BYTES = 1024 * 1024
    task = world.overdue_p0
    client.force_login(engineer)
    big = SimpleUploadedFile("dump.txt", b"x" * (2 * 1024 * 1024), content_type="text/plain")
    before = entries(task)
    response = client.post(
        reverse("task_resolve", args=[task.pk]),
        {
            "resolution": "My careful write-up",
            "evidence_links": "https://ci.example/2",
            "evidence_files": [big],
            "version": task.version,
        },
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "dump.txt is 2.0 MB; the limit is 1 MB." in html
    assert "My careful write-up" in html and "https://ci.example/2" in html  # input kept
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS and entries(task) == before
    assert not Evidence.objects.filter(task=task).exists()


def test_evidence_file_of_wrong_type_is_refused(client: Any, world: World, engineer: Any) -> None:
    task = world.overdue_p0
    client.force_login(engineer)
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/x-msdownload")
    response = client.post(
        reverse("task_resolve", args=[task.pk]),
        {"resolution": "Done", "evidence_files": [exe], "version": task.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "tool.exe: files of type application/x-msdownload are not accepted" in html
    assert 'aria-invalid="true"' in html
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS


def test_a_pdf_that_is_not_a_pdf_and_a_bad_link_are_refused(client: Any, world: World, engineer: Any) -> None:
    task = world.overdue_p0
    client.force_login(engineer)
    fake = SimpleUploadedFile("fake.pdf", b"hello", content_type="application/pdf")
    response = client.post(
        reverse("task_resolve", args=[task.pk]),
        {"resolution": "Done", "evidence_files": [fake], "version": task.version},
    )
    assert response.status_code == 400 and "fake.pdf says it is a PDF but is not one." in html_of(response)
    response = client.post(
        reverse("task_resolve", args=[task.pk]),
        {"resolution": "Done", "evidence_links": "javascript:alert(1)", "version": task.version},
    )
    assert response.status_code == 400 and "Not a valid http(s) link: javascript:alert(1)" in html_of(
        response
    )
    response = client.post(
        reverse("task_resolve", args=[task.pk]), {"resolution": "  ", "version": task.version}
    )
    assert response.status_code == 400 and "This field is required." in html_of(response)


# --- Stale forms ---------------------------------------------------------------------------------


def test_stale_form_says_who_changed_what_and_keeps_the_input(
    client: Any, world: World, engineer: Any, legal: Any
) -> None:
    task = world.overdue_p0
    client.force_login(engineer)
    page = html_of(client.get(reverse("task_detail", args=[task.pk])))
    version, snapshot = hidden(page, "resolve", "version"), hidden(page, "resolve", "snapshot")

    # Meanwhile legal moves the due date and reassigns nothing.
    import datetime as dt

    task_services.change_task_due(
        task=task, due_at=NOW + dt.timedelta(days=2), actor=legal, now=NOW, reason="BIS granted an extension"
    )

    response = client.post(
        reverse("task_resolve", args=[task.pk]),
        {
            "resolution": "My long resolution text",
            "evidence_links": "https://ci.example/3",
            "version": version,
            "snapshot": snapshot,
        },
    )
    assert response.status_code == 409
    html = html_of(response)
    assert "legal-test changed this task while you were working on it" in html
    assert "was changed by legal-test since you opened it" in html
    # the field that changed, what the user saw and what it is now
    assert (
        '<th scope="row">Due</th><td>Sat 28 Nov 2026, 17:21 EST</td><td><strong>Tue 01 Dec 2026, 10:00 EST</strong>'
        in html
    )
    assert "BIS granted an extension" in html  # the timeline entry written since
    assert "My long resolution text" in html and "https://ci.example/3" in html  # nothing lost
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    # The re-rendered form carries the current version: submitting again, knowingly, works.
    assert hidden(html, "resolve", "version") == str(task.version)
    again = client.post(
        reverse("task_resolve", args=[task.pk]),
        {
            "resolution": "My long resolution text",
            "version": hidden(html, "resolve", "version"),
            "snapshot": hidden(html, "resolve", "snapshot"),
        },
    )
    assert again.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.RESOLVED


def test_stale_status_form_over_htmx(client: Any, world: World, engineer: Any, legal: Any) -> None:
    task = world.soon
    client.force_login(engineer)
    page = html_of(client.get(reverse("task_detail", args=[task.pk])))
    task_services.change_task_status(
        task=task, to_status=TaskStatus.BLOCKED, actor=legal, now=NOW, note="Legal hold"
    )
    response = client.post(
        reverse("task_status", args=[task.pk]),
        {
            "to_status": "in_progress",
            "note": "Starting now",
            "version": hidden(page, "status", "version"),
            "snapshot": hidden(page, "status", "snapshot"),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    html = html_of(response)
    assert "<html" not in html and "Legal hold" in html and "Starting now" in html
    assert '<th scope="row">Status</th><td>Open</td><td><strong>Blocked</strong></td>' in html


# --- Reassign and due ------------------------------------------------------------------------------


def test_reassign_and_change_due_in_company_zone(
    client: Any, world: World, engineer: Any, engineer2: Any
) -> None:
    task = world.soon
    client.force_login(engineer)
    response = client.post(
        reverse("task_reassign", args=[task.pk]), {"assignee": engineer2.pk, "version": task.version}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee == engineer2
    response = client.post(
        reverse("task_due", args=[task.pk]),
        {"due_at": "2026-12-01T09:00", "reason": "agreed", "version": task.version},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.due_at is not None and task.due_at.isoformat() == "2026-12-01T14:00:00+00:00"  # 09:00 EST


def test_due_in_the_fall_back_hour_asks_for_another_time(client: Any, world: World, engineer: Any) -> None:
    task = world.soon
    client.force_login(engineer)
    response = client.post(
        reverse("task_due", args=[task.pk]), {"due_at": "2027-11-07T01:30", "version": task.version}
    )
    assert response.status_code == 400
    assert "ambiguous" in html_of(response)


def test_unknown_task_is_404(client: Any, world: World, engineer: Any) -> None:
    client.force_login(engineer)
    assert client.get(reverse("task_detail", args=[999999])).status_code == 404
    assert client.post(reverse("task_comment", args=[999999]), {"text": "x"}).status_code == 404


def test_a_damaged_form_says_so(client: Any, world: World, engineer: Any) -> None:
    client.force_login(engineer)
    response = client.post(
        reverse("task_status", args=[world.soon.pk]), {"to_status": "blocked", "version": "x"}
    )
    assert response.status_code == 400
    assert "The form was damaged (version: Enter a whole number.)" in html_of(response)
    world.soon.refresh_from_db()
    assert world.soon.status == TaskStatus.OPEN
