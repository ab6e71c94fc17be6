"""One-click suspension of every product a directive names, and the second-person rule on lifting a
restriction, through the services, the directive page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from directives.choices import AccessState, EntryKind, Role
from directives.errors import InvalidInput, NotAllowed
from directives.models import Audience, Enforcement, LiftRequest, ProductAccess
from directives.services import controls, suspension
from directives.services import enforcement as enforcement_services
from directives.services.products import record_access_change
from tests.factories import ET_FRIDAY_1721, UserFactory, make_directive, make_product

from .killswitch import KillSwitch

S = dt.timedelta(seconds=1)
T = ET_FRIDAY_1721 + dt.timedelta(minutes=27)


@pytest.fixture
def products(switch: KillSwitch) -> list[Any]:
    fable, mythos = make_product("Fable 5"), make_product("Mythos")
    controls.set_control(product=fable, kind="webhook", target=switch.target())
    controls.set_control(product=mythos, kind="manual")
    return [fable, mythos]


@pytest.fixture
def directive(legal: Any, products: list[Any]) -> Any:
    return make_directive(actor=legal, products=products)


def test_one_click_suspends_every_audience_of_every_product(switch, directive, legal, products) -> None:
    requested = suspension.suspend_all(directive=directive, actor=legal, now=T)
    assert {e.control.product.name for e in requested} == {"Fable 5", "Mythos"}
    assert set(ProductAccess.objects.filter(product__in=products).values_list("state", flat=True)) == {
        "suspended"
    }
    assert enforcement_services.run_due(now=T + S) == {"confirmed": 1}  # the webhook one; Mythos is manual
    assert switch.live("Fable 5", "domestic-users") == "suspended"
    assert directive.timeline.filter(kind=EntryKind.ACCESS_REQUESTED).count() == 2


def test_only_legal_suspends_in_one_click(directive, engineer) -> None:
    with pytest.raises(NotAllowed):
        suspension.suspend_all(directive=directive, actor=engineer, now=T)


def suspend_fable(directive: Any, products: list[Any], actor: Any) -> None:
    record_access_change(
        product=products[0],
        audiences=[Audience.objects.get(key="all-users")],
        state=AccessState.SUSPENDED,
        directive=directive,
        occurred_at=T,
        actor=actor,
        now=T,
    )
    enforcement_services.run_due(now=T + S)


def test_lifting_needs_a_second_person(switch, directive, products, legal, engineer) -> None:
    suspend_fable(directive, products, legal)
    everyone = [Audience.objects.get(key="all-users")]
    with pytest.raises(InvalidInput, match="second person"):
        record_access_change(
            product=products[0],
            audiences=everyone,
            state="available",
            directive=directive,
            occurred_at=T + 2 * S,
            actor=engineer,
            now=T + 2 * S,
        )
    lift = suspension.change_access(
        product=products[0],
        audiences=everyone,
        state="available",
        directive=directive,
        occurred_at=T + 2 * S,
        actor=engineer,
        now=T + 2 * S,
        reason="Order lifted",
    )
    assert isinstance(lift, LiftRequest) and lift.status == "pending"
    assert switch.live("Fable 5", "domestic-users") == "suspended"  # nothing changed yet
    with pytest.raises(NotAllowed, match="someone other than the person who requested it"):
        suspension.approve_lift(lift=lift, actor=engineer, now=T + 3 * S)
    approver = UserFactory(username="legal-approver", role=Role.LEGAL)
    suspension.approve_lift(lift=lift, actor=approver, now=T + 3 * S)
    assert enforcement_services.run_due(now=T + 4 * S) == {"confirmed": 1}
    assert switch.live("Fable 5", "domestic-users") == "available"
    kinds = list(directive.timeline.order_by("seq").values_list("kind", flat=True))
    assert kinds[-5:] == [
        "lift_approved",
        "access_changed",
        "access_requested",
        "access_applied",
        "access_confirmed",
    ]


def test_directive_page_suspends_shows_progress_and_approves(
    client, directive, products, legal, engineer
) -> None:
    client.force_login(legal)
    page = client.get(reverse("directive_detail", args=[directive.pk])).content.decode()
    assert "Suspend every product for all users" in page
    response = client.post(reverse("directive_suspend", args=[directive.pk]))
    assert response.status_code == 302
    card = client.get(reverse("directive_enforcement", args=[directive.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in card and "Requested" in card and "by legal-test" in card
    mythos = Enforcement.objects.get(control__product__name="Mythos")
    client.post(reverse("enforcement_confirm", args=[directive.pk, mythos.pk]))
    mythos.refresh_from_db()
    assert mythos.status == "confirmed"
    enforcement_services.run_due(now=mythos.requested_at + S)
    card = client.get(reverse("directive_enforcement", args=[directive.pk])).content.decode()
    assert "every 2s" not in card and card.count(">Confirmed</span>") == 2
    client.force_login(engineer)
    page = client.get(reverse("directive_detail", args=[directive.pk])).content.decode()
    assert "Suspend every product for all users" not in page
    assert client.post(reverse("directive_suspend", args=[directive.pk])).status_code == 403


def test_api_suspends_and_approves_lifts(client, directive, products, legal, engineer) -> None:
    from tests.api.conftest import client_for

    api = client_for(legal)
    response = api.post(f"/api/v1/directives/{directive.pk}/suspend/", {}, format="json")
    assert response.status_code == 202, response.content
    assert {e["product"] for e in response.json()} == {"Fable 5", "Mythos"}
    listed = api.get(f"/api/v1/enforcements/?directive={directive.pk}").json()
    assert {e["status"] for e in listed["results"]} == {"requested"}
    eng = client_for(engineer)
    body = {
        "directive": directive.pk,
        "audiences": ["all-users"],
        "state": "available",
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    lifted = eng.post(f"/api/v1/products/{products[0].pk}/access/", body, format="json")
    assert lifted.status_code == 202 and lifted.json()["status"] == "pending"
    lift_id = lifted.json()["id"]
    assert eng.post(f"/api/v1/lift-requests/{lift_id}/approve/").status_code == 403
    approved = api.post(f"/api/v1/lift-requests/{lift_id}/approve/")
    assert approved.status_code == 200 and approved.json()["approved_by"] == "legal-test"


def test_the_access_form_turns_a_lift_into_a_request(client, directive, products, legal, engineer) -> None:
    suspend_fable(directive, products, legal)
    client.force_login(engineer)
    response = client.post(
        reverse("directive_action", args=[directive.pk, "access"]),
        {
            "product": products[0].pk,
            "audiences": [Audience.objects.get(key="all-users").pk],
            "state": "available",
            "occurred_date": "2026-11-27",
            "occurred_time": "18:30",
            "reason": "Order lifted",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Fable 5: lift for All users requested; a second person must approve it." in page
    assert "You requested it: someone else approves it." in page
    assert set(ProductAccess.objects.filter(product=products[0]).values_list("state", flat=True)) == {
        "suspended"
    }
