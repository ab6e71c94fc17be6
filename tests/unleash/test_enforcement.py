"""The seed's story carried out through a real Unleash by Docket's enforcement service: the order blocks
foreign nationals from Mythos and Fable 5, then the shutdown suspends every audience; each step requested,
applied and confirmed on the timeline with its instants in order; a flag re-enabled in Unleash behind
Docket's back is caught by the drift watch at its next run and escalated to legal and the product's owner;
Unleash down means retries and one change once it is back, or, if it stays down, a dead change escalated;
legal's one-click suspension, and a lift carried out only once a second person approves it."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone

from directives.choices import AccessState, EntryKind, Role
from directives.errors import InvalidInput, NotAllowed
from directives.models import Audience, Enforcement, LiftRequest, Notification
from directives.services import controls, drift, suspension
from directives.services import enforcement as enforcement_services
from directives.services.products import record_access_change
from tests.factories import UserFactory, make_directive, make_product

from .server import ENVIRONMENT, PROJECT, Unleash

TARGET = {
    "project": PROJECT,
    "environment": ENVIRONMENT,
    "context_field": "nationality",
    "audiences": "foreign-nationals=foreign, domestic-users=domestic, government-agencies=government",
}
STEPS = [EntryKind.ACCESS_REQUESTED, EntryKind.ACCESS_APPLIED, EntryKind.ACCESS_CONFIRMED]


@pytest.fixture
def owner(db: Any) -> Any:
    return UserFactory(username="flag-owner", email="owner@example.com", role=Role.ENGINEERING)


@pytest.fixture
def story(unleash: Unleash, legal: Any, owner: Any, request: pytest.FixtureRequest) -> tuple[Any, list[Any]]:
    """Mythos and Fable 5 controlled by flags of this test's own (the server lives for the session)."""
    products = []
    test = request.node.name[-12:].strip("_")
    for name, flag in (("Mythos", f"mythos-{test}"), ("Fable 5", f"fable-5-{test}")):
        product = make_product(name)
        controls.set_control(product=product, kind="unleash", target={**TARGET, "flag": flag}, owner=owner)
        products.append(product)
    return make_directive(actor=legal, products=products), products


def change(directive: Any, products: list[Any], audience: str, state: str, actor: Any) -> None:
    for product in products:
        record_access_change(
            product=product,
            audiences=[Audience.objects.get(key=audience)],
            state=state,
            directive=directive,
            occurred_at=timezone.now(),
            actor=actor,
            now=timezone.now(),
        )


def carry_out(
    unleash: Unleash, directive: Any, products: list[Any], by: str = "eng-test"
) -> list[Enforcement]:
    """What the worker does: every due change applied and confirmed, at the real instants."""
    assert enforcement_services.run_due(now=timezone.now(), clock=timezone.now) == {
        "confirmed": len(products)
    }
    done = list(Enforcement.objects.filter(directive=directive, status="confirmed").order_by("-pk"))[
        : len(products)
    ]
    for e in done:
        assert e.applied_at is not None and e.confirmed_at is not None
        assert e.requested_at < e.applied_at <= e.confirmed_at
        entries = list(directive.timeline.filter(kind__in=STEPS, data__enforcement=e.key).order_by("seq"))
        assert [x.kind for x in entries] == STEPS
        assert [x.occurred_at for x in entries] == sorted(x.occurred_at for x in entries)
        assert f"requested by {by}" in entries[0].summary
        assert entries[1].data["answer"]["server"] == "unleash"
        shown = "".join(x.summary + str(x.data) for x in entries)
        assert unleash.admin_token not in shown and unleash.frontend_token not in shown
    return done


def test_the_order_then_the_shutdown_through_unleash(unleash: Unleash, story, engineer) -> None:
    directive, products = story
    change(directive, products, "foreign-nationals", AccessState.RESTRICTED, engineer)
    for e in carry_out(unleash, directive, products):
        assert e.applied_detail["constraint"] == "nationality NOT_IN [foreign]"
        assert e.confirmed_states == {
            "foreign-nationals": "restricted",
            "domestic-users": "available",
            "government-agencies": "available",
        }
        assert unleash.admin_token not in str(e.applied_detail)

    change(directive, products, "all-users", AccessState.SUSPENDED, engineer)
    for e in carry_out(unleash, directive, products):
        assert e.applied_detail["changes"] == ["disabled the flag"]
        assert set(e.confirmed_states.values()) == {"suspended"}
    for product in products:
        assert unleash.environment(product.control.target["flag"])["enabled"] is False


def test_a_flag_re_enabled_in_unleash_is_caught_at_the_next_drift_run(
    unleash: Unleash, story, engineer, settings
) -> None:
    directive, products = story
    change(directive, products, "foreign-nationals", AccessState.RESTRICTED, engineer)
    carry_out(unleash, directive, products)
    change(directive, products, "all-users", AccessState.SUSPENDED, engineer)
    carry_out(unleash, directive, products)
    assert drift.watch(now=timezone.now()).drifted == 0

    settings.DOCKET_DRIFT_INTERVAL_SECONDS = 5
    flag = products[1].control.target["flag"]
    unleash.admin("POST", f"/api/admin/projects/{PROJECT}/features/{flag}/environments/{ENVIRONMENT}/on")
    time.sleep(settings.DOCKET_DRIFT_INTERVAL_SECONDS)  # beat's next run
    assert drift.watch(now=timezone.now()).drifted == 1

    entry = directive.timeline.get(kind=EntryKind.DRIFT_DETECTED)
    assert entry.product.name == "Fable 5"
    # Re-enabled, the flag still carries the order's constraint: everyone but foreign nationals is back in.
    assert entry.data["audiences"] == {
        "foreign-nationals": {"recorded": "suspended", "live": "restricted"},
        "domestic-users": {"recorded": "suspended", "live": "available"},
        "government-agencies": {"recorded": "suspended", "live": "available"},
    }
    recipients = set(Notification.objects.filter(directive=directive).values_list("recipient", flat=True))
    assert {"group:legal", "user:flag-owner"} <= recipients
    assert drift.watch(now=timezone.now()).drifted == 0  # reported once while it lasts


def test_unleash_down_retries_then_applies_once_and_escalates_if_it_stays_down(
    unleash: Unleash, story, engineer, settings
) -> None:
    directive, products = story
    fable = products[1]
    flag = fable.control.target["flag"]
    change(directive, products, "foreign-nationals", AccessState.RESTRICTED, engineer)
    carry_out(unleash, directive, products)

    unleash.stop()
    change(directive, [fable], "all-users", AccessState.SUSPENDED, engineer)
    e = Enforcement.objects.filter(control__product=fable).latest("pk")
    assert enforcement_services.run_due(now=timezone.now(), clock=timezone.now) == {"failed": 1}
    e.refresh_from_db()
    assert e.status == "failed" and e.attempts == 1 and "did not answer" in e.last_error
    assert e.next_attempt_at > timezone.now()  # backed off

    unleash.start()
    later = e.next_attempt_at + dt.timedelta(seconds=1)
    assert enforcement_services.run_due(now=later, clock=timezone.now) == {"confirmed": 1}
    e.refresh_from_db()
    assert e.attempts == 2 and e.applied_detail["changes"] == ["disabled the flag"]
    disabled = [x for x in unleash.events(flag) if x["type"] == "feature-environment-disabled"]
    assert len(disabled) == 1

    # Down for good: dead after the last attempt, on the timeline, and escalated to legal and the owner.
    settings.DOCKET_ENFORCEMENT_MAX_ATTEMPTS = 2
    unleash.stop()
    change(directive, [products[0]], "all-users", AccessState.SUSPENDED, engineer)  # Mythos
    outcomes = [enforcement_services.run_due(now=timezone.now() + dt.timedelta(minutes=m)) for m in (0, 10)]
    assert outcomes == [{"failed": 1}, {"dead": 1}]
    failed = directive.timeline.get(kind=EntryKind.ACCESS_FAILED)
    assert "after 2 attempt(s)" in failed.summary and "did not answer" in failed.summary
    recipients = set(Notification.objects.filter(directive=directive).values_list("recipient", flat=True))
    assert {"group:legal", "user:flag-owner"} <= recipients


def test_one_click_suspension_then_a_lift_approved_by_a_second_person(unleash: Unleash, story, legal) -> None:
    directive, products = story
    requested = suspension.suspend_all(directive=directive, actor=legal, now=timezone.now())
    assert len(requested) == 2
    carry_out(unleash, directive, products, by="legal-test")
    flags = [p.control.target["flag"] for p in products]
    assert [unleash.environment(f)["enabled"] for f in flags] == [False, False]

    fable = products[1]
    everyone = [Audience.objects.get(key="all-users")]
    kwargs = {"product": fable, "audiences": everyone, "directive": directive, "occurred_at": timezone.now()}
    lift = suspension.change_access(**kwargs, state=AccessState.AVAILABLE, actor=legal, now=timezone.now())
    assert isinstance(lift, LiftRequest)
    assert enforcement_services.run_due(now=timezone.now(), clock=timezone.now) == {}  # nothing moves yet
    assert unleash.environment(flags[1])["enabled"] is False
    with pytest.raises(NotAllowed, match="someone other than the person who requested it"):
        suspension.approve_lift(lift=lift, actor=legal, now=timezone.now())

    second = UserFactory(username="legal-second", role=Role.LEGAL)
    suspension.approve_lift(lift=lift, actor=second, now=timezone.now())
    [e] = carry_out(unleash, directive, [fable], by="legal-second")
    assert e.applied_detail["constraint"] == "no constraint"
    assert set(e.confirmed_states.values()) == {"available"}
    assert unleash.environment(flags[1])["enabled"] is True
    assert unleash.environment(flags[0])["enabled"] is False  # Mythos stays suspended


def test_an_unleash_target_is_checked_when_the_control_is_set(db: Any) -> None:
    product = make_product("Fable 5")
    for target, words in (
        ({**TARGET, "enviroment": "production"}, "no field 'enviroment'"),
        ({**TARGET, "audiences": "foreign-nationals"}, "audiences must map"),
        ({**TARGET, "audiences": "foreign-nationals=x, domestic-users=x"}, "share a context value"),
        ({**TARGET, "flag": "fable 5!"}, "flag 'fable 5!' is not a valid name"),
    ):
        with pytest.raises(InvalidInput, match=words):
            controls.set_control(product=product, kind="unleash", target=target)
    control = controls.set_control(product=product, kind="unleash", target={"environment": "production"})
    assert control.target == {"environment": "production"}  # the rest defaults (docs/enforcement.md)
