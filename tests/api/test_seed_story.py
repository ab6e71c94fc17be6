"""The seed story, told through the API alone: the Commerce order received at 17:21 -05:00 on a Friday,
its obligations and tasks, the total shutdown at 17:48, a sweep after the deadlines have passed, and
then the escalations and the timeline read back, in order, with the hash chain verified."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from directives.services.timeline import GENESIS, entry_payload
from tests.factories import UserFactory

ET = dt.timezone(dt.timedelta(hours=-5))  # EST on 27 November 2026
FRIDAY_1740 = dt.datetime(2026, 11, 27, 17, 40, tzinfo=ET)
FRIDAY_1750 = dt.datetime(2026, 11, 27, 17, 50, tzinfo=ET)
WEDNESDAY_NOON = dt.datetime(2026, 12, 2, 12, 0, tzinfo=ET)  # after every deadline below
AUDIENCES = ["all-users", "foreign-nationals", "domestic-users", "government-agencies"]


def login(username: str) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": "pw-for-tests-only"}, format="json"
    )
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.json())
    return response.json()


def _instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


@pytest.mark.django_db
def test_the_commerce_order_through_the_api() -> None:
    UserFactory(username="lena", role="legal")
    eng: Any = UserFactory(username="eli", role="engineering")
    UserFactory(username="esme", role="engineering")

    # Friday 17:40 ET: legal logs the order received at 17:21 ET.
    with time_machine.travel(FRIDAY_1740, tick=False):
        legal, engineer, engineer2 = login("lena"), login("eli"), login("esme")
        commerce = ok(
            legal.post(
                "/api/v1/authorities/",
                {
                    "name": "U.S. Department of Commerce, Bureau of Industry and Security",
                    "short_name": "Commerce (BIS)",
                    "jurisdiction": "United States (federal)",
                    "time_zone": "America/New_York",
                    "calendar_country": "US",
                },
                format="json",
            ),
            201,
        )
        mythos = ok(legal.post("/api/v1/products/", {"name": "Mythos"}, format="json"), 201)
        fable = ok(legal.post("/api/v1/products/", {"name": "Fable 5"}, format="json"), 201)
        order = ok(
            legal.post(
                "/api/v1/directives/",
                {
                    "authority": commerce["id"],
                    "reference": "BIS-ORD-AI-2026-0417",
                    "title": "Order to block foreign nationals from Mythos and Fable 5",
                    "kind": "export_control",
                    "received_at": "2026-11-27T17:21:00-05:00",
                    "summary": "Block all foreign nationals from Mythos and Fable 5.",
                    "products": [
                        {"product": mythos["id"], "required_action": "Block foreign nationals"},
                        {"product": fable["id"], "required_action": "Block foreign nationals"},
                    ],
                },
                format="json",
                HTTP_IDEMPOTENCY_KEY="bis-0417-intake",
            ),
            201,
        )
        assert order["received_at_local"] == "2026-11-27T17:21:00-05:00"
        assert _instant(order["received_at"]).astimezone(ET).weekday() == 4  # a Friday
        directive_url = f"/api/v1/directives/{order['id']}"
        ok(
            legal.post(
                f"{directive_url}/timeline/",
                {
                    "kind": "acknowledged",
                    "summary": "Receipt acknowledged to BIS by email.",
                    "occurred_at": "2026-11-27T17:35:00-05:00",
                },
                format="json",
            ),
            201,
        )
        block = ok(
            legal.post(
                "/api/v1/obligations/",
                {
                    "directive": order["id"],
                    "title": "Block all foreign nationals",
                    "deadline_rule": "immediately",
                },
                format="json",
            ),
            201,
        )
        plan = ok(
            legal.post(
                "/api/v1/obligations/",
                {
                    "directive": order["id"],
                    "title": "Submit a remediation plan to BIS",
                    "deadline_rule": "business_days",
                    "deadline_amount": 2,
                },
                format="json",
            ),
            201,
        )
        # Two business days from a Friday-evening receipt, counted in New York: Tuesday 17:21 ET.
        assert _instant(plan["due_at"]).astimezone(ET).isoformat() == "2026-12-01T17:21:00-05:00"
        assert _instant(block["due_at"]) == _instant(order["received_at"])
        order = ok(
            legal.post(
                f"{directive_url}/transition/", {"to_status": "in_effect", "version": 1}, format="json"
            )
        )
        assert order["status"] == "in_effect"

        shutdown_task = ok(
            legal.post(
                "/api/v1/tasks/",
                {
                    "directive": order["id"],
                    "obligation": block["id"],
                    "title": "Suspend consumer and API access to Mythos and Fable 5",
                    "assignee": eng.pk,
                    "priority": "P0",
                },
                format="json",
            ),
            201,
        )
        patch_task = ok(
            legal.post(
                "/api/v1/tasks/",
                {
                    "directive": order["id"],
                    "product": fable["id"],
                    "title": "Patch the Fable 5 guardrail jailbreak",
                    "assignee": eng.pk,
                    "priority": "P0",
                    "due_at": "2026-11-28T17:21:00-05:00",
                },
                format="json",
            ),
            201,
        )
        ok(
            legal.post(
                "/api/v1/tasks/",
                {
                    "directive": order["id"],
                    "obligation": plan["id"],
                    "title": "Draft the plan",
                    "priority": "P1",
                },
                format="json",
            ),
            201,
        )

    # 17:50 ET: engineering records the total shutdown at 17:48 ET; legal marks the block met.
    with time_machine.travel(FRIDAY_1750, tick=False):
        for product in (fable, mythos):
            result = ok(
                engineer.post(
                    f"/api/v1/products/{product['id']}/access/",
                    {
                        "directive": order["id"],
                        "audiences": AUDIENCES,
                        "state": "suspended",
                        "occurred_at": "2026-11-27T17:48:00-05:00",
                        "reason": "Total shutdown for domestic and international users to ensure compliance.",
                    },
                    format="json",
                ),
                201,
            )
            assert {a["audience"]: a["state"] for a in result["product"]["access"]} == dict.fromkeys(
                AUDIENCES, "suspended"
            )
        met = ok(
            legal.post(
                f"/api/v1/obligations/{block['id']}/met/",
                {"met_at": "2026-11-27T17:48:00-05:00", "version": block["version"]},
                format="json",
            )
        )
        assert met["status"] == "met"
        resolved = ok(
            engineer.post(
                f"/api/v1/tasks/{shutdown_task['id']}/resolve/",
                {
                    "resolution": "Access suspended for all users at 17:48 ET via the serving kill switch.",
                    "evidence_links": ["https://status.docket.example/incidents/fable5-shutdown"],
                    "version": shutdown_task["version"],
                },
                format="json",
            )
        )
        verified = ok(
            engineer2.post(
                f"/api/v1/tasks/{shutdown_task['id']}/verify/",
                {"version": resolved["version"]},
                format="json",
            )
        )
        assert verified["status"] == "verified"

    # The following Wednesday noon ET, long past the patch task's and the plan's deadlines: a sweep.
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        out = io.StringIO()
        call_command("escalate", "--json", stdout=out)
        assert json.loads(out.getvalue()), "the sweep reported nothing"

        escalations = ok(legal.get("/api/v1/escalations/", {"directive": order["id"], "page_size": 200}))[
            "results"
        ]
        assert escalations, "the sweep recorded no escalation"
        scheduled = [_instant(e["scheduled_at"]) for e in escalations]
        assert scheduled == sorted(scheduled)
        by_task = {e["task"] for e in escalations if e["task"]}
        assert patch_task["id"] in by_task  # the overdue P0 patch escalated
        assert shutdown_task["id"] not in by_task  # the verified shutdown did not
        patch_levels = [
            e["level"] for e in escalations if e["task"] == patch_task["id"] and not e["reminder"]
        ]
        assert patch_levels and max(patch_levels) >= 1
        task_filtered = ok(legal.get("/api/v1/escalations/", {"task": patch_task["id"]}))["results"]
        assert {e["task"] for e in task_filtered} == {patch_task["id"]}
        patch_now = ok(legal.get(f"/api/v1/tasks/{patch_task['id']}/"))
        assert patch_now["escalation_level"] >= 1

        notifications = ok(legal.get("/api/v1/notifications/", {"directive": order["id"], "page_size": 200}))
        assert notifications["count"] >= 1

        # The timeline, in order, the chain recomputed from what the API returns.
        timeline = ok(legal.get(f"{directive_url}/timeline/", {"page_size": 200}))
        entries = timeline["results"]
        assert timeline["count"] == len(entries)
        assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
        kinds = [e["kind"] for e in entries]
        assert kinds[0] == "received"
        assert _instant(entries[0]["occurred_at"]).astimezone(ET).isoformat() == "2026-11-27T17:21:00-05:00"
        for kind in (
            "acknowledged",
            "obligation_added",
            "status_changed",
            "task_created",
            "access_changed",
            "obligation_met",
            "task_resolved",
            "task_verified",
            "escalated",
        ):
            assert kind in kinds, kind
        assert kinds.index("access_changed") < kinds.index("task_verified") < kinds.index("escalated")
        shutdown = next(e for e in entries if e["kind"] == "access_changed")
        assert _instant(shutdown["occurred_at"]).astimezone(ET).isoformat() == "2026-11-27T17:48:00-05:00"

        previous = GENESIS
        for entry in entries:
            assert entry["prev_hash"] == previous, entry["seq"]
            payload = entry_payload(
                directive_id=entry["directive"],
                seq=entry["seq"],
                kind=entry["kind"],
                occurred_at=_instant(entry["occurred_at"]),
                recorded_at=_instant(entry["recorded_at"]),
                actor_id=entry["actor"],
                actor_label=entry["actor_label"],
                summary=entry["summary"],
                data=entry["data"],
                obligation_id=entry["obligation"],
                task_id=entry["task"],
                product_id=entry["product"],
                supersedes_id=entry["supersedes"],
                prev_hash=entry["prev_hash"],
            )
            assert hashlib.sha256(payload).hexdigest() == entry["hash"], entry["seq"]
            previous = entry["hash"]

        report = ok(legal.get(f"{directive_url}/verify/"))
        assert report == {
            "directive": order["id"],
            "ok": True,
            "entries": len(entries),
            "head_seq": len(entries),
            "head_hash": entries[-1]["hash"],
            "problem": None,
        }
