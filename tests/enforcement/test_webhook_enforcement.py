"""An access change on a product controlled by a signed webhook, against a real kill-switch server: requested,
applied and confirmed on the timeline, retried while the switch is down, dead and escalated if it stays
down, each change applied once, drift caught and escalated."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.choices import AccessState, EnforcementStatus, EntryKind, Role
from directives.models import Audience, Enforcement, Notification
from directives.services import controls, drift
from directives.services import enforcement as enforcement_services
from directives.services.products import record_access_change
from tests.factories import ET_FRIDAY_1721, UserFactory, make_directive, make_obligation, make_product

from .killswitch import SECRET, KillSwitch

S = dt.timedelta(seconds=1)
SHUTDOWN = ET_FRIDAY_1721 + dt.timedelta(minutes=27)


@pytest.fixture
def owner(db: Any) -> Any:
    return UserFactory(username="fable-owner", email="owner@example.com", role=Role.ENGINEERING)


@pytest.fixture
def fable(switch: KillSwitch, owner: Any) -> Any:
    product = make_product("Fable 5")
    controls.set_control(product=product, kind="webhook", target=switch.target(), owner=owner)
    return product


@pytest.fixture
def directive(legal: Any, fable: Any) -> Any:
    return make_directive(actor=legal, products=[fable])


def block_foreign(fable: Any, directive: Any, actor: Any, now: dt.datetime = SHUTDOWN) -> Enforcement:
    record_access_change(
        product=fable,
        audiences=[Audience.objects.get(key="foreign-nationals")],
        state=AccessState.RESTRICTED,
        directive=directive,
        occurred_at=now,
        actor=actor,
        now=now,
    )
    return Enforcement.objects.get(status=EnforcementStatus.REQUESTED)


def test_requested_applied_confirmed_with_instants_in_order(switch, fable, directive, engineer) -> None:
    e = block_foreign(fable, directive, engineer)
    assert switch.posts == 0  # nothing leaves Docket before the transaction commits and a worker runs
    assert enforcement_services.run_due(now=SHUTDOWN + S) == {"confirmed": 1}
    e.refresh_from_db()
    assert e.applied_at is not None and e.confirmed_at is not None
    assert e.status == "confirmed" and e.requested_at < e.applied_at <= e.confirmed_at
    assert switch.live("Fable 5", "foreign-nationals") == "restricted"
    assert switch.live("Fable 5", "domestic-users") == "available"
    assert switch.bad_signatures == 0
    kinds = [EntryKind.ACCESS_REQUESTED, EntryKind.ACCESS_APPLIED, EntryKind.ACCESS_CONFIRMED]
    entries = list(directive.timeline.filter(kind__in=kinds).order_by("seq"))
    assert [x.kind for x in entries] == kinds
    assert [x.occurred_at for x in entries] == sorted(x.occurred_at for x in entries)
    assert "requested by eng-test" in entries[0].summary
    assert entries[1].data["answer"] == {"applied": True, "key": e.key, "repeat": False}
    assert entries[2].data["evaluated"]["foreign-nationals"] == "restricted"
    assert all(SECRET not in str(x.data) + x.summary for x in entries)


def test_switch_down_retries_with_backoff_then_applies_once(switch, fable, directive, engineer) -> None:
    e = block_foreign(fable, directive, engineer)
    switch.down = True
    assert enforcement_services.run_due(now=SHUTDOWN + S) == {"failed": 1}
    e.refresh_from_db()
    assert e.status == "failed" and e.attempts == 1 and "503" in e.last_error
    assert e.next_attempt_at == SHUTDOWN + S + dt.timedelta(seconds=5)
    assert enforcement_services.run_due(now=SHUTDOWN + 2 * S) == {}  # not before its backoff
    assert enforcement_services.run_due(now=SHUTDOWN + 6 * S) == {"failed": 1}
    e.refresh_from_db()
    assert e.next_attempt_at == SHUTDOWN + 6 * S + dt.timedelta(seconds=10)
    switch.down = False
    assert enforcement_services.run_due(now=SHUTDOWN + 20 * S) == {"confirmed": 1}
    assert switch.applied_keys == {e.key: 1}
    # a second copy of the message after confirmation changes nothing
    assert enforcement_services.attempt(enforcement_id=e.pk, now=SHUTDOWN + 30 * S) == "skipped"
    assert switch.applied_keys == {e.key: 1}


def test_applied_then_down_is_not_applied_again(switch, fable, directive, engineer) -> None:
    e = block_foreign(fable, directive, engineer)
    switch.lagging["foreign-nationals"] = "available"  # the change has not reached the evaluation yet
    assert enforcement_services.run_due(now=SHUTDOWN + S) == {"failed": 1}
    e.refresh_from_db()
    assert e.status == "applied" and "foreign-nationals: live available" in e.last_error
    switch.lagging.clear()
    assert enforcement_services.run_due(now=SHUTDOWN + 10 * S) == {"confirmed": 1}
    assert switch.applied_keys == {e.key: 1}


def test_dead_after_max_attempts_escalates_to_legal_and_owner(
    switch, fable, directive, engineer, owner, settings
) -> None:
    settings.DOCKET_ENFORCEMENT_MAX_ATTEMPTS = 2
    e = block_foreign(fable, directive, engineer)
    switch.down = True
    enforcement_services.run_due(now=SHUTDOWN + S)
    assert enforcement_services.run_due(now=SHUTDOWN + 60 * S) == {"dead": 1}
    e.refresh_from_db()
    assert e.status == "dead" and e.dead_at == SHUTDOWN + 60 * S and e.escalated_at is not None
    failed = directive.timeline.get(kind=EntryKind.ACCESS_FAILED)
    assert "after 2 attempt(s)" in failed.summary
    assert directive.timeline.filter(kind=EntryKind.ESCALATED, product=fable).count() == 1
    recipients = set(Notification.objects.filter(directive=directive).values_list("recipient", flat=True))
    assert {"group:legal", "user:fable-owner"} <= recipients


def test_refused_is_dead_at_once(switch, fable, directive, engineer, settings) -> None:
    settings.DOCKET_ENFORCEMENT_WEBHOOK_SECRET = "not-the-switch-secret"
    e = block_foreign(fable, directive, engineer)
    assert enforcement_services.run_due(now=SHUTDOWN + S) == {"dead": 1}
    e.refresh_from_db()
    assert "refused: HTTP 401" in e.last_error


def test_not_confirmed_as_the_deadline_nears_is_escalated_once(
    switch, fable, directive, engineer, legal
) -> None:
    make_obligation(directive, actor=legal, amount=1, now=SHUTDOWN)  # due an hour after receipt
    e = block_foreign(fable, directive, engineer)
    switch.down = True
    enforcement_services.run_due(now=SHUTDOWN + S)
    assert enforcement_services.escalate_near_deadlines(now=SHUTDOWN + 2 * S) == 1
    assert enforcement_services.escalate_near_deadlines(now=SHUTDOWN + 3 * S) == 0
    e.refresh_from_db()
    assert e.escalated_at == SHUTDOWN + 2 * S
    assert "deadline is near" in directive.timeline.get(kind=EntryKind.ESCALATED).summary


def test_a_second_worker_finds_the_row_taken(switch, fable, directive, engineer) -> None:
    e = block_foreign(fable, directive, engineer)
    assert enforcement_services.claim(e.pk, now=SHUTDOWN + S)
    assert enforcement_services.attempt(enforcement_id=e.pk, now=SHUTDOWN + S) == "skipped"
    assert switch.posts == 0


def test_a_later_change_supersedes_one_not_done(switch, fable, directive, engineer) -> None:
    first = block_foreign(fable, directive, engineer)
    record_access_change(
        product=fable,
        audiences=[Audience.objects.get(key="all-users")],
        state=AccessState.SUSPENDED,
        directive=directive,
        occurred_at=SHUTDOWN + S,
        actor=engineer,
        now=SHUTDOWN + S,
    )
    first.refresh_from_db()
    assert first.status == "superseded"
    assert enforcement_services.run_due(now=SHUTDOWN + 2 * S) == {"confirmed": 1}
    assert switch.live("Fable 5", "domestic-users") == "suspended"


def test_drift_is_recorded_with_both_states_and_escalated_once(switch, fable, directive, engineer) -> None:
    block_foreign(fable, directive, engineer)
    enforcement_services.run_due(now=SHUTDOWN + S)
    assert drift.watch(now=SHUTDOWN + 60 * S).drifted == 0
    switch.flip("Fable 5", "foreign-nationals", "available")  # re-enabled behind Docket's back
    assert drift.watch(now=SHUTDOWN + 120 * S).drifted == 1
    entry = directive.timeline.get(kind=EntryKind.DRIFT_DETECTED)
    assert entry.data["audiences"] == {"foreign-nationals": {"recorded": "restricted", "live": "available"}}
    assert "foreign-nationals recorded restricted, live available" in entry.summary
    recipients = set(Notification.objects.filter(directive=directive).values_list("recipient", flat=True))
    assert {"group:legal", "user:fable-owner"} <= recipients
    assert drift.watch(now=SHUTDOWN + 180 * S).drifted == 0  # reported once while it lasts


def test_manual_control_is_confirmed_by_a_person(fable, directive, engineer, legal) -> None:
    controls.set_control(product=fable, kind="manual")
    e = block_foreign(fable, directive, engineer)
    assert enforcement_services.run_due(now=SHUTDOWN + S) == {}
    enforcement_services.confirm_manually(enforcement=e, actor=legal, now=SHUTDOWN + 2 * S)
    e.refresh_from_db()
    assert e.status == "confirmed" and e.applied_at == e.confirmed_at == SHUTDOWN + 2 * S
    assert "confirmed by legal-test" in directive.timeline.get(kind=EntryKind.ACCESS_CONFIRMED).summary


def test_a_target_never_holds_a_credential(fable) -> None:
    from directives.errors import InvalidInput

    with pytest.raises(InvalidInput, match="credential"):
        controls.set_control(product=fable, kind="webhook", target={"url": "http://x", "api_token": "t"})


def test_beat_re_drives_due_changes_and_watches_drift(switch, fable, directive, engineer) -> None:
    from compliance.celery import _schedule, app
    from directives import tasks

    _schedule(app)
    assert {"enforcement-relay", "drift-watch"} <= set(app.conf.beat_schedule)
    assert app.conf.beat_schedule["drift-watch"]["task"] == "directives.tasks.watch_drift"
    e = block_foreign(fable, directive, engineer)
    assert enforcement_services.run_due(now=SHUTDOWN + S) == {"confirmed": 1}
    switch.flip("Fable 5", "foreign-nationals", "available")
    assert tasks.watch_drift() == 1  # the beat task, as beat runs it
    e.refresh_from_db()
    assert e.control.drift_live == {"foreign-nationals": "available"}


def test_a_status_answer_that_is_no_state_is_refused_not_retried(switch, fable, directive, engineer) -> None:
    e = block_foreign(fable, directive, engineer)
    switch.lagging["foreign-nationals"] = "on"  # not an access state Docket knows
    assert enforcement_services.run_due(now=SHUTDOWN + S) == {"dead": 1}
    e.refresh_from_db()
    assert (
        "no known access state ('on')" in e.last_error and e.locked_until is None and e.applied_at is not None
    )


def test_no_unsigned_request_leaves_docket(switch, fable, directive, engineer, settings) -> None:
    settings.DOCKET_ENFORCEMENT_WEBHOOK_SECRET = ""
    e = block_foreign(fable, directive, engineer)
    assert enforcement_services.run_due(now=SHUTDOWN + S) == {"dead": 1}
    e.refresh_from_db()
    assert "DOCKET_ENFORCEMENT_WEBHOOK_SECRET is not set" in e.last_error and switch.posts == 0
