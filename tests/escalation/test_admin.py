"""The admin: policies editable with their steps, escalations, the outbox (dead rows visible), sweeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from directives.escalation.sweep import sweep
from directives.models import EscalationPolicy, EscalationStep, Notification, WebhookEndpoint

from .conftest import DUE


def test_admin_pages_render(client: Any, admin_user: Any, p0_task: Any) -> None:
    sweep(now=DUE + dt.timedelta(hours=2))
    Notification.objects.update(status="dead", last_error="HTTP 500")
    WebhookEndpoint.objects.create(
        name="ops", url="https://hooks.example/x", secret="s", events=["escalated"]
    )
    client.force_login(admin_user)
    for model in ("escalationpolicy", "escalation", "notification", "webhookendpoint", "sweeprun"):
        response = client.get(reverse(f"admin:directives_{model}_changelist"))
        assert response.status_code == 200, model
    dead = client.get(reverse("admin:directives_notification_changelist") + "?status__exact=dead")
    assert b"HTTP 500" in dead.content
    policy = EscalationPolicy.objects.get(priority="P0")
    page = client.get(reverse("admin:directives_escalationpolicy_change", args=[policy.pk]))
    assert page.status_code == 200
    assert b'value="-01:00:00"' in page.content  # the reminder, an hour before due


def _policy_form(policy: EscalationPolicy, steps: list[tuple[int, str, str]]) -> dict[str, Any]:
    existing = list(policy.steps.order_by("level"))
    data: dict[str, Any] = {
        "name": policy.name,
        "applies_to": policy.applies_to,
        "priority": policy.priority,
        "description": policy.description,
        "active": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(existing)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, (level, name, offset) in enumerate(steps):
        data.update(
            {
                f"steps-{i}-level": str(level),
                f"steps-{i}-name": name,
                f"steps-{i}-offset": offset,
                f"steps-{i}-policy": str(policy.pk),
            }
        )
        if i < len(existing):
            data[f"steps-{i}-id"] = str(existing[i].pk)
            data[f"steps-{i}-notify_assignee"] = "on"
    return data


def test_editing_a_policy_checks_the_ladder_and_reschedules(
    client: Any, admin_user: Any, p0_task: Any
) -> None:
    client.force_login(admin_user)
    policy = EscalationPolicy.objects.get(priority="P0")
    url = reverse("admin:directives_escalationpolicy_change", args=[policy.pk])
    out_of_order = [
        (0, "Reminder", "-01:00:00"),
        (1, "L1", "02:00:00"),
        (2, "L2", "01:00:00"),
        (3, "L3", "04:00:00"),
    ]
    response = client.post(url, _policy_form(policy, out_of_order))
    assert response.status_code == 200
    assert b"Higher levels must fire later" in response.content

    reminder_after_due = [
        (0, "Reminder", "01:00:00"),
        (1, "L1", "02:00:00"),
        (2, "L2", "03:00:00"),
        (3, "L3", "04:00:00"),
    ]
    response = client.post(url, _policy_form(policy, reminder_after_due))
    assert response.status_code == 200 and b"errornote" in response.content

    earlier = [
        (0, "Reminder: 2 hours ahead", "-02:00:00"),
        (1, "L1", "00:00:00"),
        (2, "L2", "01:00:00"),
        (3, "L3", "04:00:00"),
    ]
    response = client.post(url, _policy_form(policy, earlier), follow=True)
    assert response.status_code == 200
    assert b"rescheduled for the current policies: 1 changed" in response.content
    assert EscalationStep.objects.get(policy=policy, level=0).offset == -dt.timedelta(hours=2)
    p0_task.refresh_from_db()
    assert p0_task.next_escalation_at == DUE - dt.timedelta(hours=2)
