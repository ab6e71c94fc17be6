"""Who may call what: every role x every endpoint x every method, each expected allow or deny.

The table below is the specification, written out from the role table in ``directives/permissions.py``
(VIEW: legal, engineering, executive, auditor; LOG_DIRECTIVE, EDIT_DIRECTIVE, RECORD_ACTION,
MANAGE_OBLIGATIONS: legal; RECORD_ACCESS_CHANGE, CREATE_TASK, REASSIGN_TASK, WORK_TASK, VERIFY_TASK:
legal and engineering; COMMENT: legal, engineering, executive; MANAGE_WEBHOOKS, MANAGE_CONTROLS: staff
only; staff may
do everything) and its object rules (an engineer works only the tasks assigned to them; the person who
resolved a task never verifies it). A test below also checks that the table agrees with ``can``.

"allow" means the request got past authentication and authorization (any answer but 401/403; a 400
for a body the service refuses is still "allowed"). "deny" means 401 for anonymous callers and 403 for
the others. "405" means the method is not offered at that path, for anyone signed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction

from directives.choices import Role
from directives.models import (
    Authority,
    ClosureDay,
    Control,
    Directive,
    Enforcement,
    Escalation,
    IntakeItem,
    LiftRequest,
    Notification,
    TimelineEntry,
    WebhookEndpoint,
)
from directives.permissions import Action, can
from directives.services import links as link_services
from directives.services import tasks as task_services
from tests.factories import (
    UserFactory,
    make_directive,
    make_obligation,
    make_product,
    make_task,
)

from .conftest import client_for, new_authority

NOW = dt.datetime(2026, 11, 27, 22, 40, tzinfo=dt.UTC)
ROLES = ("anonymous", "legal", "engineering", "executive", "auditor", "staff")

VIEWERS = {"legal", "engineering", "executive", "auditor", "staff"}
SIGNED_IN = VIEWERS
LEGAL = {"legal", "staff"}
LEGAL_ENG = {"legal", "engineering", "staff"}
COMMENTERS = {"legal", "engineering", "executive", "staff"}
STAFF = {"staff"}
EVERYONE = set(ROLES)
NOT_OFFERED = "405"


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # with {directive}, {obligation}, {product}, {authority}, {task_*}, {webhook} placeholders
    allowed: set[str] | str  # the roles allowed, or NOT_OFFERED
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    action: Action | None = None  # the role-table action this row stands for (checked against can())


def at(w: dict[str, Any]) -> str:
    return NOW.isoformat()


MATRIX: list[Row] = [
    # Authentication and self
    Row("POST", "/api/v1/auth/token/", EVERYONE, lambda w: {"username": "nobody"}),  # no password: 400
    Row("GET", "/api/v1/me/", SIGNED_IN),
    Row("GET", "/api/v1/dashboard/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/search/", VIEWERS, action=Action.VIEW),
    # Authorities
    Row("GET", "/api/v1/authorities/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/authorities/{authority}/", VIEWERS, action=Action.VIEW),
    Row(
        "POST",
        "/api/v1/authorities/",
        LEGAL,
        lambda w: {"name": "EU Commission", "jurisdiction": "EU", "time_zone": "Europe/Brussels"},
        Action.LOG_DIRECTIVE,
    ),
    Row(
        "PATCH",
        "/api/v1/authorities/{authority}/",
        LEGAL,
        lambda w: {"short_name": "Renamed", "version": Authority.objects.get(pk=w["authority"].pk).version},
        Action.LOG_DIRECTIVE,
    ),
    Row("DELETE", "/api/v1/authorities/{authority}/", NOT_OFFERED),
    Row(
        "POST",
        "/api/v1/authorities/{authority}/convention/",
        LEGAL,
        lambda w: {"preset": "frcp_6a", "version": Authority.objects.get(pk=w["authority"].pk).version},
        Action.LOG_DIRECTIVE,
    ),
    Row("GET", "/api/v1/authorities/{authority}/closure-days/", VIEWERS, action=Action.VIEW),
    Row(
        "POST",
        "/api/v1/authorities/{authority}/closure-days/",
        LEGAL,
        lambda w: {"day": "2026-12-24", "name": "Closure"},
        Action.LOG_DIRECTIVE,
    ),
    Row(
        "DELETE",
        "/api/v1/authorities/{authority}/closure-days/{closure}/",
        LEGAL,
        action=Action.LOG_DIRECTIVE,
    ),
    # Products and access
    Row("GET", "/api/v1/products/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/products/{product}/", VIEWERS, action=Action.VIEW),
    Row("POST", "/api/v1/products/", LEGAL, lambda w: {"name": "Claude Next"}, Action.EDIT_DIRECTIVE),
    Row(
        "POST",
        "/api/v1/products/{product}/access/",
        LEGAL_ENG,
        lambda w: {
            "directive": w["directive"].pk,
            "audiences": ["all-users"],
            "state": "suspended",
            "occurred_at": at(w),
        },
        Action.RECORD_ACCESS_CHANGE,
    ),
    Row("PUT", "/api/v1/products/{product}/", NOT_OFFERED),
    # Directives
    Row("GET", "/api/v1/directives/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/directives/{directive}/", VIEWERS, action=Action.VIEW),
    Row(
        "POST",
        "/api/v1/directives/",
        LEGAL,
        lambda w: {
            "authority": w["authority"].pk,
            "reference": "NEW-1",
            "title": "New order",
            "kind": "other",
            "received_at": at(w),
        },
        Action.LOG_DIRECTIVE,
    ),
    Row(
        "POST",
        "/api/v1/directives/{directive}/transition/",
        LEGAL,
        lambda w: {"to_status": "in_effect", "version": w["directive"].version},
        Action.EDIT_DIRECTIVE,
    ),
    Row("GET", "/api/v1/directives/{directive}/verify/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/directives/{directive}/timeline/", VIEWERS, action=Action.VIEW),
    Row(
        "POST",
        "/api/v1/directives/{directive}/timeline/",
        LEGAL,
        lambda w: {"kind": "action_recorded", "summary": "Called BIS", "occurred_at": at(w)},
        Action.RECORD_ACTION,
    ),
    Row(
        "POST",
        "/api/v1/directives/{directive}/timeline/",
        COMMENTERS,
        lambda w: {"kind": "comment", "summary": "Noted", "occurred_at": at(w)},
        Action.COMMENT,
    ),
    Row(
        "POST",
        "/api/v1/directives/{directive}/statement/",
        LEGAL,
        lambda w: {"text": "We disagree but comply.", "posture": "under_protest"},
        Action.RECORD_ACTION,
    ),
    Row(
        "POST",
        "/api/v1/directives/{directive}/corrections/",
        LEGAL,
        lambda w: {"supersedes": w["entry"].pk, "summary": "Received at 17:21, not 17:12."},
        Action.RECORD_ACTION,
    ),
    Row(
        "POST",
        "/api/v1/directives/{directive}/products/",
        LEGAL,
        lambda w: {"product": w["second_product"].pk, "required_action": "Block foreign nationals"},
        Action.EDIT_DIRECTIVE,
    ),
    Row(
        "PATCH",
        "/api/v1/directives/{directive}/",
        LEGAL,
        lambda w: {"title": "Amended title", "version": Directive.objects.get(pk=w["directive"].pk).version},
        Action.EDIT_DIRECTIVE,
    ),
    Row("GET", "/api/v1/directives/{directive}/links/", VIEWERS, action=Action.VIEW),
    Row(
        "POST",
        "/api/v1/directives/{directive}/links/",
        LEGAL,
        lambda w: {"kind": "amends", "target": w["earlier_directive"].pk},
        Action.EDIT_DIRECTIVE,
    ),
    Row("DELETE", "/api/v1/directives/{directive}/links/{link}/", LEGAL, action=Action.EDIT_DIRECTIVE),
    Row("PUT", "/api/v1/directives/{directive}/", NOT_OFFERED),
    Row("DELETE", "/api/v1/directives/{directive}/", NOT_OFFERED),
    Row("PUT", "/api/v1/directives/{directive}/timeline/", NOT_OFFERED),  # nobody edits the record
    Row("DELETE", "/api/v1/directives/{directive}/timeline/", NOT_OFFERED),
    # Obligations
    Row("GET", "/api/v1/obligations/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/obligations/{obligation}/", VIEWERS, action=Action.VIEW),
    Row(
        "POST",
        "/api/v1/obligations/",
        LEGAL,
        lambda w: {
            "directive": w["directive"].pk,
            "title": "Report",
            "deadline_rule": "hours",
            "deadline_amount": 48,
        },
        Action.MANAGE_OBLIGATIONS,
    ),
    Row(
        "POST",
        "/api/v1/obligations/{obligation}/met/",
        LEGAL,
        lambda w: {"met_at": at(w), "version": 1},
        Action.MANAGE_OBLIGATIONS,
    ),
    Row(
        "POST",
        "/api/v1/obligations/{obligation}/waive/",
        LEGAL,
        lambda w: {"reason": "Superseded", "version": 1},
        Action.MANAGE_OBLIGATIONS,
    ),
    Row(
        "POST",
        "/api/v1/obligations/{obligation}/convention/",
        LEGAL,
        lambda w: {"preset": "eu_1182_71", "version": 1},
        Action.MANAGE_OBLIGATIONS,
    ),
    Row(
        "POST",
        "/api/v1/obligations/{obligation}/recompute/",
        LEGAL,
        lambda w: {"version": 1},
        Action.MANAGE_OBLIGATIONS,
    ),
    Row("DELETE", "/api/v1/obligations/{obligation}/", NOT_OFFERED),
    # Tasks (object rules: task_mine is assigned to the engineering user, task_theirs to someone else;
    # task_resolved_by_other / task_resolved_by_engineer await verification)
    Row("GET", "/api/v1/tasks/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/tasks/{task_mine}/", VIEWERS, action=Action.VIEW),
    Row(
        "POST",
        "/api/v1/tasks/",
        LEGAL_ENG,
        lambda w: {"directive": w["directive"].pk, "title": "Add a nationality gate"},
        Action.CREATE_TASK,
    ),
    Row(
        "POST",
        "/api/v1/tasks/{task_mine}/status/",
        LEGAL_ENG,
        lambda w: {"to_status": "in_progress", "version": 1},
        Action.WORK_TASK,
    ),
    Row(
        "POST",
        "/api/v1/tasks/{task_theirs}/status/",
        LEGAL,
        lambda w: {"to_status": "in_progress", "version": 1},
    ),
    Row(
        "POST",
        "/api/v1/tasks/{task_mine}/resolve/",
        LEGAL_ENG,
        lambda w: {"resolution": "Suspended", "version": 1},
        Action.WORK_TASK,
    ),
    Row(
        "POST",
        "/api/v1/tasks/{task_theirs}/resolve/",
        LEGAL,
        lambda w: {"resolution": "Suspended", "version": 1},
    ),
    Row(
        "POST",
        "/api/v1/tasks/{task_resolved_by_other}/verify/",
        LEGAL_ENG,
        lambda w: {"version": 2},
        Action.VERIFY_TASK,
    ),
    Row("POST", "/api/v1/tasks/{task_resolved_by_engineer}/verify/", LEGAL, lambda w: {"version": 2}),
    Row(
        "POST",
        "/api/v1/tasks/{task_mine}/reassign/",
        LEGAL_ENG,
        lambda w: {"assignee": w["other_engineer"].pk, "version": 1},
        Action.REASSIGN_TASK,
    ),
    Row(
        "POST",
        "/api/v1/tasks/{task_mine}/due/",
        LEGAL_ENG,
        lambda w: {"due_at": (NOW + dt.timedelta(days=1)).isoformat(), "version": 1},
        Action.REASSIGN_TASK,
    ),
    Row(
        "POST", "/api/v1/tasks/{task_mine}/comment/", COMMENTERS, lambda w: {"text": "On it"}, Action.COMMENT
    ),
    Row(
        "POST",
        "/api/v1/tasks/{task_mine}/evidence/",
        LEGAL_ENG,
        lambda w: {"url": "https://status.example/incident"},
        Action.WORK_TASK,
    ),
    Row(
        "POST", "/api/v1/tasks/{task_theirs}/evidence/", LEGAL, lambda w: {"url": "https://status.example/x"}
    ),
    Row(
        "PATCH",
        "/api/v1/tasks/{task_mine}/",
        LEGAL_ENG,
        lambda w: {"priority": "P0", "version": 1},
        Action.WORK_TASK,
    ),
    Row("PATCH", "/api/v1/tasks/{task_theirs}/", LEGAL, lambda w: {"title": "Renamed", "version": 1}),
    Row("PUT", "/api/v1/tasks/{task_mine}/", NOT_OFFERED),
    Row("DELETE", "/api/v1/tasks/{task_mine}/", NOT_OFFERED),
    # Escalations and notifications: read-only
    Row("GET", "/api/v1/escalations/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/escalations/{escalation}/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/notifications/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/notifications/{notification}/", VIEWERS, action=Action.VIEW),
    Row("POST", "/api/v1/escalations/", NOT_OFFERED),
    Row("POST", "/api/v1/notifications/", NOT_OFFERED),
    # My inbox (another person's message answers 404, which is past the permission check) and settings
    Row("GET", "/api/v1/inbox/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/inbox/{notification}/", VIEWERS, action=Action.VIEW),
    Row("POST", "/api/v1/inbox/{notification}/read/", VIEWERS, action=Action.VIEW),
    Row("POST", "/api/v1/inbox/read-all/", VIEWERS, action=Action.VIEW),
    Row("DELETE", "/api/v1/inbox/{notification}/", NOT_OFFERED),
    Row("POST", "/api/v1/me/calendar-feed/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/me/calendar-feed/", NOT_OFFERED),
    Row("GET", "/api/v1/me/preferences/", SIGNED_IN),
    Row("PATCH", "/api/v1/me/preferences/", SIGNED_IN, lambda w: {"time_zone": "Europe/Brussels"}),
    # Webhook subscriptions: administrators only
    Row("GET", "/api/v1/webhooks/", STAFF, action=Action.MANAGE_WEBHOOKS),
    Row("GET", "/api/v1/webhooks/{webhook}/", STAFF, action=Action.MANAGE_WEBHOOKS),
    Row(
        "POST",
        "/api/v1/webhooks/",
        STAFF,
        lambda w: {"name": "pager", "url": "https://hooks.example/pager", "secret": "s" * 24},
        Action.MANAGE_WEBHOOKS,
    ),
    # The intake mailbox's queue
    Row("GET", "/api/v1/intake-items/", LEGAL, action=Action.LOG_DIRECTIVE),
    Row("GET", "/api/v1/intake-items/{intake_item}/", LEGAL, action=Action.LOG_DIRECTIVE),
    Row(
        "POST",
        "/api/v1/intake-items/{intake_item}/dismiss/",
        LEGAL,
        lambda w: {"reason": "Not an order", "version": 1},
        Action.LOG_DIRECTIVE,
    ),
    Row(
        "POST",
        "/api/v1/intake-items/{intake_item}/log/",
        LEGAL,
        lambda w: {"version": 1},  # refused for its missing fields (400): past the permission check
        Action.LOG_DIRECTIVE,
    ),
    # Enforcement: access changes carried out through controls, one-click suspension, lifts
    Row("POST", "/api/v1/directives/{directive}/suspend/", LEGAL, lambda w: {}, Action.SUSPEND_PRODUCTS),
    Row("GET", "/api/v1/enforcements/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/enforcements/{enforcement}/", VIEWERS, action=Action.VIEW),
    Row("POST", "/api/v1/enforcements/{enforcement}/confirm/", LEGAL_ENG, None, Action.RECORD_ACCESS_CHANGE),
    Row("GET", "/api/v1/lift-requests/", VIEWERS, action=Action.VIEW),
    Row("GET", "/api/v1/lift-requests/{lift}/", VIEWERS, action=Action.VIEW),
    Row("POST", "/api/v1/lift-requests/{lift}/approve/", LEGAL, None, Action.APPROVE_LIFT),
    Row("GET", "/api/v1/products/{second_product}/control/", VIEWERS, action=Action.VIEW),
    Row(
        "PUT",
        "/api/v1/products/{product}/control/",
        STAFF,
        lambda w: {"kind": "manual"},
        Action.MANAGE_CONTROLS,
    ),
    Row("DELETE", "/api/v1/products/{second_product}/control/", STAFF, action=Action.MANAGE_CONTROLS),
    Row("POST", "/api/v1/products/{product}/control/", NOT_OFFERED),
    Row("PATCH", "/api/v1/webhooks/{webhook}/", STAFF, lambda w: {"active": False}, Action.MANAGE_WEBHOOKS),
    Row("DELETE", "/api/v1/webhooks/{webhook}/", STAFF, action=Action.MANAGE_WEBHOOKS),
]


@pytest.fixture
def world(users: dict[str, Any]) -> Any:
    with time_machine.travel(NOW, tick=False):
        legal, engineer = users["legal"], users["engineering"]
        other_engineer = UserFactory.create(username="m-eng-other", role=Role.ENGINEERING)
        authority = new_authority(name="U.S. Department of Commerce")
        product = make_product("Fable 5")
        second_product = make_product("Mythos")
        directive = make_directive(actor=legal, authority=authority, products=[product])
        obligation = make_obligation(directive, actor=legal)
        earlier = make_directive(actor=legal, authority=authority, reference="EO-2026-VMR")
        related = make_directive(actor=legal, authority=authority, reference="DOD-SCR-2026-011")
        link = link_services.add_link(
            directive=directive, kind="relates_to", target=related, actor=legal, now=NOW
        )
        mine = make_task(directive, actor=legal, assignee=engineer, title="Mine")
        theirs = make_task(directive, actor=legal, assignee=other_engineer, title="Theirs")
        by_other = make_task(directive, actor=legal, assignee=other_engineer, title="Resolved by other")
        task_services.resolve_task(task=by_other, actor=other_engineer, resolution="Done", now=NOW)
        by_engineer = make_task(directive, actor=legal, assignee=engineer, title="Resolved by engineer")
        task_services.resolve_task(task=by_engineer, actor=engineer, resolution="Done", now=NOW)
        webhook = WebhookEndpoint.objects.create(name="ops", url="https://hooks.example/ops", secret="x" * 24)
        escalation = Escalation.objects.create(
            task=theirs,
            directive=directive,
            level=1,
            name="Level 1",
            due_at=NOW,
            scheduled_at=NOW,
            fired_at=NOW,
        )
        notification = Notification.objects.create(
            idempotency_key="matrix-1",
            channel="email",
            event="escalated",
            recipient="group:legal",
            directive=directive,
            task=theirs,
            escalation=escalation,
            next_attempt_at=NOW,
            created_at=NOW,
        )
        intake_item = IntakeItem.objects.create(
            message_id="<matrix@bis.example.gov>",
            mailbox="intake@imap/INBOX",
            uid="1",
            message="intake/" + "0" * 64,
            size=1,
            sha256="0" * 64,
            created_at=NOW,
        )
        control = Control.objects.create(product=second_product, kind="manual")
        enforcement = Enforcement.objects.create(
            control=control,
            directive=directive,
            states={},
            key="matrix-1",
            requested_at=NOW,
            next_attempt_at=NOW,
        )
        lift = LiftRequest.objects.create(
            directive=directive,
            product=product,
            audiences=["all-users"],
            state="available",
            requested_by=other_engineer,
            requested_at=NOW,
        )
        closure = ClosureDay.objects.create(
            authority=authority, day=dt.date(2026, 12, 31), name="Closure", added_at=NOW
        )
        yield {
            "enforcement": enforcement,
            "lift": lift,
            "intake_item": intake_item,
            "closure": closure,
            "authority": authority,
            "product": product,
            "directive": directive,
            "obligation": obligation,
            "earlier_directive": earlier,
            "link": link,
            "task_mine": mine,
            "task_theirs": theirs,
            "task_resolved_by_other": by_other,
            "task_resolved_by_engineer": by_engineer,
            "webhook": webhook,
            "second_product": second_product,
            "entry": TimelineEntry.objects.filter(directive=directive).order_by("seq").first(),
            "escalation": escalation,
            "notification": notification,
            "other_engineer": other_engineer,
        }


def _url(row: Row, world: dict[str, Any]) -> str:
    return row.path.format(**{k: getattr(v, "pk", v) for k, v in world.items()})


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(role: str, users: dict[str, Any], world: dict[str, Any]) -> None:
    client = client_for(users[role])
    mismatches = []
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        for row in MATRIX:
            url = _url(row, world)
            body = row.body(world) if row.body else None
            savepoint = transaction.savepoint()  # every request starts from the same world
            cache.clear()  # and from an empty throttle: the matrix has more rows than the anonymous rate
            try:
                response = client.generic(row.method, url, data=_json(body), content_type="application/json")
            finally:
                transaction.savepoint_rollback(savepoint)
            code = response.status_code
            if row.allowed == NOT_OFFERED:
                expected = "401" if role == "anonymous" else "405"
                ok = str(code) == expected
            elif role in row.allowed:
                expected = "allow"
                ok = code not in (401, 403, 405) and code < 500
            else:
                expected = "deny (401)" if role == "anonymous" else "deny (403)"
                ok = code == (401 if role == "anonymous" else 403)
            if not ok:
                mismatches.append(
                    f"{row.method} {row.path}: expected {expected}, got {code} {response.content[:200]!r}"
                )
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)


def _json(body: dict[str, Any] | None) -> str:
    import json

    return json.dumps(body) if body is not None else ""


def test_the_matrix_agrees_with_the_role_table(users: dict[str, Any]) -> None:
    """The written expectations are the role table's: for every row that names its action, the roles
    allowed are exactly those ``can`` allows (object rules aside)."""
    for row in MATRIX:
        if row.action is None or row.allowed == NOT_OFFERED:
            continue
        by_table = {role for role in ROLES if can(users[role], row.action)}
        assert by_table == row.allowed, (row.method, row.path, by_table, row.allowed)


def test_every_api_operation_is_in_the_matrix() -> None:
    """A new endpoint or method cannot ship without its line in the table."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    covered = {(r.method, _shape(r.path)) for r in MATRIX}
    missing = [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if (method.upper(), _shape(path)) not in covered
    ]
    assert not missing, missing


def _shape(path: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", "{}", path)
