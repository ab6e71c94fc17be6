"""Absolute links in e-mails and webhook messages (DOCKET_BASE_URL), and the checks that guard the setting."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail

from compliance.checks import base_url_is_a_url, base_url_is_set
from directives.models import Notification, WebhookEndpoint
from directives.services import notifications as delivery
from tests.factories import make_directive, make_task

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 28, 0, 0, tzinfo=dt.UTC)


def test_the_assignment_email_links_to_its_task(settings: Any, legal: Any, engineer: Any) -> None:
    settings.DOCKET_BASE_URL = "https://docket.example.com/"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    directive = make_directive(actor=legal, reference="BIS-9")
    task = make_task(directive, actor=legal, assignee=engineer, title="Block it", notify_assignee=True)
    assert delivery.deliver_due(now=NOW + dt.timedelta(days=1)) == {"sent": 1}
    (email,) = mail.outbox
    assert email.body.endswith(f"\n\nOpen the task: https://docket.example.com/tasks/{task.pk}/")


def test_a_webhook_message_carries_the_link_in_its_text_and_as_url(settings: Any, legal: Any) -> None:
    settings.DOCKET_BASE_URL = "https://docket.example.com"
    directive = make_directive(actor=legal, reference="BIS-10")
    hook = WebhookEndpoint.objects.create(name="ops", url="https://hooks.example/ops", secret="s" * 24)
    message = Notification.objects.create(
        idempotency_key="link-1",
        channel="webhook",
        event="obligation_missed",
        recipient="webhook:ops",
        webhook=hook,
        payload={"text": "Obligation missed.", "data": {}},
        directive=directive,
        next_attempt_at=NOW,
        created_at=NOW,
    )
    body = json.loads(delivery.webhook_body(message, message.payload))
    url = f"https://docket.example.com/directives/{directive.pk}/"
    assert body["text"] == f"Obligation missed. Open the directive: {url}" and body["url"] == url


def test_without_the_setting_links_point_at_the_local_server(settings: Any) -> None:
    from directives.links import subject_link

    settings.DOCKET_BASE_URL = ""
    assert subject_link(task_id=4, directive_id=1) == ("task", "http://127.0.0.1:8000/tasks/4/")
    assert subject_link(task_id=None, directive_id=None) == ("", "")


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("", {"docket.W004"}),
        ("http://docket.example.com", {"docket.W005"}),
        ("https://docket.example.com", set()),
        ("docket.example.com", {"docket.E014"}),
        ("https://docket.example.com/app?x=1", {"docket.E014"}),
    ],
)
def test_the_checks_name_what_is_wrong(settings: Any, value: str, ids: set[str]) -> None:
    settings.DOCKET_BASE_URL = value
    found = {str(m.id) for m in base_url_is_a_url(None)}
    if not found:
        found = {str(m.id) for m in base_url_is_set(None)}
    assert found == ids
