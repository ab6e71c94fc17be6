"""Extending a logged directive from its page: a remediation task (from the page and from an obligation).
Each addition is one service call; a stale version is refused with the input kept; refusals say why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from directives.choices import EntryKind
from directives.models import Directive, Notification, RemediationTask, TimelineEntry
from directives.services import directives as directive_services
from tests.factories import make_obligation, make_product

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 23, 0, tzinfo=dt.UTC)  # Friday 18:00 ET


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _task_post(order: Directive, **overrides: Any) -> dict[str, Any]:
    body = {
        "version": order.version,
        "title": "Patch the Fable 5 guardrail",
        "description": "Close the jailbreak path.",
        "obligation": "",
        "product": order.products.get(name="Fable 5").pk,
        "assignee": "",
        "priority": "P0",
        "due_date": "2026-11-28",
        "due_time": "09:00",
    }
    body.update(overrides)
    return body


def test_legal_adds_a_task_from_the_directive_page(
    client: Any, legal: Any, engineer: Any, order: Directive
) -> None:
    client.force_login(legal)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert "Add a remediation task" in page and 'id="action-task"' in page

    url = reverse("directive_action", args=[order.pk, "task"])
    response = client.post(url, _task_post(order, assignee=engineer.pk), follow=True)
    html = response.content.decode()
    task = RemediationTask.objects.get(directive=order)
    # Typed in the authority's zone (New York): 09:00 EST is 14:00 UTC; both are shown.
    assert task.due_at == dt.datetime(2026, 11, 28, 14, 0, tzinfo=dt.UTC)
    assert "Task added: Patch the Fable 5 guardrail, assigned to eng-test" in html
    assert "Sat 28 Nov 2026, 09:00 EST · 14:00 UTC" in html
    assert task.product is not None
    assert task.priority == "P0" and task.assignee == engineer and task.product.name == "Fable 5"
    entry = TimelineEntry.objects.filter(directive=order, kind=EntryKind.TASK_CREATED).get()
    assert entry.task == task and entry.actor == legal
    # The engineer is told at once.
    assert Notification.objects.filter(task=task, user=engineer).exists()


def test_a_task_from_an_obligation_is_due_when_the_obligation_is(
    client: Any, legal: Any, order: Directive
) -> None:
    obligation = make_obligation(order, actor=legal, title="Block all foreign nationals", amount=24)
    client.force_login(legal)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    link = f"?task_for={obligation.pk}#action-task"
    assert link in page
    opened = client.get(reverse("directive_detail", args=[order.pk]) + f"?task_for={obligation.pk}")
    html = opened.content.decode()
    assert f'<option value="{obligation.pk}" selected>' in html
    assert '<details class="action" id="action-task" open>' in html

    url = reverse("directive_action", args=[order.pk, "task"])
    body = _task_post(order, obligation=obligation.pk, due_date="", due_time="", product="")
    response = client.post(url, body, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    task = RemediationTask.objects.get(directive=order)
    assert task.obligation == obligation and task.due_at == obligation.due_at
    assert "Task added" in response.content.decode()


def test_a_stale_directive_version_keeps_the_input_and_a_second_submit_goes_through(
    client: Any, legal: Any, order: Directive
) -> None:
    client.force_login(legal)
    body = _task_post(order)
    # Someone else changes the directive meanwhile.
    directive_services.transition_directive(
        directive=order, to_status="in_effect", actor=legal, now=NOW, expected_version=order.version
    )
    url = reverse("directive_action", args=[order.pk, "task"])
    response = client.post(url, body, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed" in html and "since you opened it" in html
    assert 'value="Patch the Fable 5 guardrail"' in html
    assert RemediationTask.objects.count() == 0
    order.refresh_from_db()
    assert f'name="version" value="{order.version}"' in html
    # The person read the change and submits again.
    response = client.post(url, {**body, "version": order.version})
    assert response.status_code == 302 and RemediationTask.objects.count() == 1


def test_bad_input_names_the_field_and_stores_nothing(client: Any, legal: Any, order: Directive) -> None:
    client.force_login(legal)
    url = reverse("directive_action", args=[order.pk, "task"])
    response = client.post(url, _task_post(order, title="", due_time=""), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html and "Enter the time as well as the date." in html
    # Before the receipt (Friday 17:21 ET): refused by the service, the field named.
    response = client.post(url, _task_post(order, due_date="2026-11-27", due_time="08:00"))
    assert response.status_code == 400
    assert "A task cannot be due before its directive was received." in response.content.decode()
    assert RemediationTask.objects.count() == 0


def test_an_executive_sees_no_task_form_and_cannot_post_one(
    client: Any, executive: Any, order: Directive
) -> None:
    client.force_login(executive)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert 'id="action-task"' not in page and "task_for=" not in page
    response = client.post(reverse("directive_action", args=[order.pk, "task"]), _task_post(order))
    assert response.status_code == 403 and RemediationTask.objects.count() == 0


def test_an_engineer_may_add_a_task_too(client: Any, engineer: Any, order: Directive) -> None:
    client.force_login(engineer)
    response = client.post(reverse("directive_action", args=[order.pk, "task"]), _task_post(order))
    assert response.status_code == 302
    assert RemediationTask.objects.get().created_by == engineer


# --- Obligations after intake ------------------------------------------------------------------------


def _obligation_post(order: Directive, **overrides: Any) -> dict[str, Any]:
    body = {
        "add-obligation-version": order.version,
        "add-obligation-title": "Submit a remediation plan to BIS",
        "add-obligation-deadline_rule": "business_days",
        "add-obligation-deadline_amount": "2",
        "add-obligation-deadline_date": "",
        "add-obligation-deadline_time": "",
        "add-obligation-description": "",
    }
    body.update(overrides)
    return body


def test_legal_adds_an_obligation_after_intake_with_the_live_preview(
    client: Any, legal: Any, order: Directive
) -> None:
    client.force_login(legal)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert 'id="action-obligation"' in page and "Add an obligation" in page
    assert f'"directive": "{order.pk}"' in page  # the row's preview asks about this directive

    # The preview: two business days from Friday 17:21 ET is Tuesday 17:21 ET.
    preview = client.post(
        reverse("directive_preview_due"),
        {**_obligation_post(order), "row": "add-obligation", "directive": order.pk},
    )
    assert preview.status_code == 200
    assert "Tue 01 Dec 2026, 17:21 EST · 22:21 UTC" in preview.content.decode()

    url = reverse("directive_action", args=[order.pk, "obligation"])
    response = client.post(url, _obligation_post(order), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    obligation = order.obligations.get()
    assert obligation.due_at == dt.datetime(2026, 12, 1, 22, 21, tzinfo=dt.UTC)
    assert "Obligation added: Submit a remediation plan to BIS" in html
    assert "Tue 01 Dec 2026, 17:21 EST · 22:21 UTC" in html
    assert TimelineEntry.objects.filter(obligation=obligation, kind=EntryKind.OBLIGATION_ADDED).count() == 1


def test_an_obligation_due_before_the_receipt_is_refused_with_the_input_kept(
    client: Any, legal: Any, order: Directive
) -> None:
    client.force_login(legal)
    url = reverse("directive_action", args=[order.pk, "obligation"])
    body = _obligation_post(
        order,
        **{
            "add-obligation-deadline_rule": "by_instant",
            "add-obligation-deadline_date": "2026-11-26",
            "add-obligation-deadline_time": "09:00",
        },
    )
    response = client.post(url, body, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 400
    assert "before" in html and 'value="Submit a remediation plan to BIS"' in html
    assert not order.obligations.exists()
    # A rule that needs a number and has none names the field.
    response = client.post(url, _obligation_post(order, **{"add-obligation-deadline_amount": ""}))
    assert response.status_code == 400 and "Enter how many hours or days." in response.content.decode()


def test_an_engineer_cannot_add_an_obligation_nor_preview_one(
    client: Any, engineer: Any, order: Directive
) -> None:
    client.force_login(engineer)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert 'id="action-obligation"' not in page
    url = reverse("directive_action", args=[order.pk, "obligation"])
    assert client.post(url, _obligation_post(order)).status_code == 403
    preview = client.post(
        reverse("directive_preview_due"),
        {**_obligation_post(order), "row": "add-obligation", "directive": order.pk},
    )
    assert preview.status_code == 403 and not order.obligations.exists()


# --- Affected products ------------------------------------------------------------------------------


def test_legal_adds_an_affected_product_and_the_timeline_shows_before_and_after(
    client: Any, legal: Any, order: Directive
) -> None:
    claude = make_product("Claude Next")
    client.force_login(legal)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert 'id="action-product"' in page
    # Only the products the directive does not name yet are offered.
    panel = page.split('id="action-product"')[1].split("</details>")[0]
    assert f'<option value="{claude.pk}">Claude Next</option>' in panel
    assert f'<option value="{order.products.get(name="Mythos").pk}">' not in panel

    url = reverse("directive_action", args=[order.pk, "product"])
    body = {"version": order.version, "product": claude.pk, "required_action": "Geo-block the EU"}
    response = client.post(url, body, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Claude Next added to the directive: Geo-block the EU." in html
    assert order.product_links.filter(product=claude, required_action="Geo-block the EU").exists()
    entry = TimelineEntry.objects.filter(directive=order, product=claude).get()
    assert entry.data["before"] == ["Mythos (Block foreign nationals)", "Fable 5 (Block foreign nationals)"]
    assert entry.data["after"][-1] == "Claude Next (Geo-block the EU)"
    assert "→" in entry.summary
    # The directive's version moved on: the same (now stale) form is refused, the input kept.
    again = client.post(url, {**body, "product": make_product("Haiku").pk}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and 'value="Geo-block the EU"' in again.content.decode()


def test_an_engineer_cannot_add_a_product(client: Any, engineer: Any, order: Directive) -> None:
    client.force_login(engineer)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert 'id="action-product"' not in page
    url = reverse("directive_action", args=[order.pk, "product"])
    body = {"version": order.version, "product": make_product("Haiku").pk, "required_action": "Block"}
    assert client.post(url, body).status_code == 403


# --- Amending the directive's fields -----------------------------------------------------------------


def _amend_post(order: Directive, **overrides: Any) -> dict[str, Any]:
    body = {
        "version": order.version,
        "title": order.title,
        "reference": order.reference,
        "summary": order.summary,
        "scope": order.scope,
        "effective_date": "",
        "effective_time": "",
    }
    body.update(overrides)
    return body


def test_legal_amends_the_title_and_effective_instant_and_the_timeline_shows_before_and_after(
    client: Any, legal: Any, order: Directive
) -> None:
    client.force_login(legal)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert 'id="action-amend"' in page and f'value="{order.title}"' in page
    url = reverse("directive_action", args=[order.pk, "amend"])
    body = _amend_post(
        order,
        title="Order to block foreign nationals (amended)",
        scope="Mythos and Fable 5, every foreign national",
        effective_date="2026-11-27",
        effective_time="18:00",
    )
    response = client.post(url, body, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Directive amended" in html
    order.refresh_from_db()
    assert order.title == "Order to block foreign nationals (amended)"
    assert order.effective_from == dt.datetime(2026, 11, 27, 23, 0, tzinfo=dt.UTC)  # 18:00 EST
    entry = TimelineEntry.objects.filter(directive=order, kind=EntryKind.DIRECTIVE_AMENDED).get()
    assert "Title: “Order to block foreign nationals” → “Order to block foreign nationals (amended)”" in (
        entry.summary
    )
    assert "Effective from: none → Fri 27 Nov 2026, 18:00 EST · 23:00 UTC" in entry.summary
    assert set(entry.data["fields"]) == {"title", "scope", "effective_from"}
    assert "Scope" in html and "Mythos and Fable 5, every foreign national" in html


def test_an_amendment_on_a_stale_version_is_refused_and_keeps_the_input(
    client: Any, legal: Any, order: Directive
) -> None:
    client.force_login(legal)
    url = reverse("directive_action", args=[order.pk, "amend"])
    stale = _amend_post(order, title="Mine")
    assert client.post(url, _amend_post(order, title="Theirs")).status_code == 302
    response = client.post(url, stale, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 409 and "since you opened it" in html and 'value="Mine"' in html
    order.refresh_from_db()
    assert order.title == "Theirs"
    # Nothing changed: said, nothing written.
    response = client.post(url, _amend_post(order), HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "Nothing to amend" in response.content.decode()
    assert TimelineEntry.objects.filter(directive=order, kind=EntryKind.DIRECTIVE_AMENDED).count() == 1
