""" "All users" never contradicts the audiences (service, matrices, pages); the dashboard shows, per directive
in effect, its receipt instant and the time to the shutdown that followed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from directives.access import ALL_USERS, everyone_state
from directives.choices import AccessState, DirectiveStatus, EntryKind
from directives.models import AccessChange, Audience, ProductAccess, TimelineEntry
from directives.selectors import dashboard as selectors
from directives.selectors.directives import directive_page
from directives.services.products import record_access_change

from .world import NOW, SHUTDOWN, World

pytestmark = pytest.mark.django_db


def _states(product: Any) -> dict[str, str]:
    return dict(ProductAccess.objects.filter(product=product).values_list("audience__key", "state"))


def test_everyone_state_is_what_the_audiences_share_or_restricted() -> None:
    assert everyone_state(["suspended", "suspended"]) == AccessState.SUSPENDED
    assert everyone_state(["available", "suspended"]) == AccessState.RESTRICTED
    assert everyone_state(["restricted", "available"]) == AccessState.RESTRICTED
    assert everyone_state([]) is None


def test_restoring_one_audience_moves_all_users_with_it(world: World, engineer: Any) -> None:
    fable = world.order.products.get(name="Fable 5")
    assert set(_states(fable).values()) == {AccessState.SUSPENDED}
    domestic = Audience.objects.get(key="domestic-users")
    at = SHUTDOWN + dt.timedelta(hours=2)
    record_access_change(
        product=fable,
        audiences=[domestic],
        state=AccessState.AVAILABLE,
        directive=world.order,
        occurred_at=at,
        actor=engineer,
        now=at,
        reason="Domestic access restored behind the nationality gate",
    )
    states = _states(fable)
    assert states["domestic-users"] == AccessState.AVAILABLE
    assert states[ALL_USERS] == AccessState.RESTRICTED  # never "suspended" beside an available audience
    history = AccessChange.objects.filter(product=fable, audience__key=ALL_USERS).latest("pk")
    assert (history.from_state, history.to_state) == (AccessState.SUSPENDED, AccessState.RESTRICTED)
    entry = TimelineEntry.objects.filter(directive=world.order, kind=EntryKind.ACCESS_CHANGED).latest("seq")
    assert "available for Domestic users (so all users: restricted)" in entry.summary
    assert entry.data["from"] == {"domestic-users": "suspended", ALL_USERS: "suspended"}


def test_a_change_for_all_users_changes_every_audience(world: World, engineer: Any) -> None:
    mythos = world.order.products.get(name="Mythos")
    at = SHUTDOWN + dt.timedelta(minutes=5)
    record_access_change(
        product=mythos,
        audiences=[Audience.objects.get(key=ALL_USERS)],
        state=AccessState.SUSPENDED,
        directive=world.order,
        occurred_at=at,
        actor=engineer,
        now=at,
    )
    assert set(_states(mythos).values()) == {AccessState.SUSPENDED}
    assert len(_states(mythos)) == Audience.objects.count()


def test_the_matrices_derive_all_users_even_from_a_contradicting_row(world: World) -> None:
    fable = world.order.products.get(name="Fable 5")
    # A row stored before the rule (or by hand): domestic available, "all users" still suspended.
    ProductAccess.objects.filter(product=fable, audience__key="domestic-users").update(state="available")
    matrix = selectors.access_matrix()
    keys = [a.key for a in matrix.audiences]
    row = next(r for r in matrix.rows if r.product.name == "Fable 5")
    cells = dict(zip(keys, row.cells, strict=True))
    everyone, domestic = cells[ALL_USERS], cells["domestic-users"]
    assert everyone is not None and everyone.state == AccessState.RESTRICTED
    assert domestic is not None and domestic.state == AccessState.AVAILABLE
    page = directive_page(world.order, now=NOW)
    _product, _required, page_cells = next(r for r in page.matrix.rows if r[0].name == "Fable 5")
    assert (
        dict(zip(keys, [c.state if c else None for c in page_cells], strict=True))[ALL_USERS] == "restricted"
    )


def test_dashboard_lists_each_directive_in_effect_with_receipt_and_shutdown(world: World) -> None:
    board = selectors.dashboard(now=NOW)
    assert [r.directive.reference for r in board.responses] == ["BIS-ORD-1"]  # the others are only received
    response = board.responses[0]
    assert response.receipt == world.order.received_at
    assert response.shutdown == SHUTDOWN
    assert response.to_shutdown == dt.timedelta(minutes=27)


def test_the_executive_reads_receipt_and_shutdown_in_words(
    world: World, client: Any, executive: Any, settings: Any
) -> None:
    client.force_login(executive)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Receipt and shutdown" in page
    assert "Fri 27 Nov 2026, 17:21 EST · 22:21 UTC" in page  # the receipt, in the authority's zone and UTC
    assert "Fri 27 Nov 2026, 17:48 EST · 22:48 UTC" in page  # the shutdown that followed
    assert "<strong>27 min</strong>" in page
    assert "it reads the other audiences" in page


def test_a_directive_in_effect_without_a_shutdown_says_so(world: World, legal: Any) -> None:
    from directives.services.directives import transition_directive

    from ..factories import make_directive

    other = make_directive(actor=legal, reference="NO-SHUT")
    transition_directive(
        directive=other, to_status=DirectiveStatus.IN_EFFECT, actor=legal, now=other.received_at
    )
    board = selectors.dashboard(now=NOW)
    row = next(r for r in board.responses if r.directive.reference == "NO-SHUT")
    assert row.shutdown is None and row.to_shutdown is None
    assert board.tiles.shutdown_samples == 1  # the median still counts only directives with a shutdown


def test_the_api_summary_carries_the_same_receipts(world: World, client: Any, executive: Any) -> None:
    client.force_login(executive)
    body = client.get("/api/v1/dashboard/").json()
    assert body["receipts"] == [
        {
            "directive": world.order.pk,
            "reference": "BIS-ORD-1",
            "received_at": "2026-11-27T22:21:00Z",
            "shutdown_at": "2026-11-27T22:48:00Z",
            "receipt_to_shutdown_seconds": 27 * 60,
            "shutdown_typed": True,  # recorded by hand: no control confirmed it
        }
    ]
