"""Extending and amending a directive through the API, with the same services as the directive page:
an affected product (optionally version-checked)."""

from __future__ import annotations

from typing import Any

import pytest

from directives.models import Directive
from tests.api.conftest import client_for
from tests.factories import make_directive, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(legal: Any) -> Directive:
    return make_directive(actor=legal, reference="BIS-ORD-AI-2026-0417", products=[make_product("Mythos")])


def test_adding_a_product_moves_the_version_and_a_stale_one_is_refused(legal: Any, order: Directive) -> None:
    api = client_for(legal)
    url = f"/api/v1/directives/{order.pk}/products/"
    fable = make_product("Fable 5")
    response = api.post(
        url, {"product": fable.pk, "required_action": "Block", "version": order.version}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == order.version + 1 and response["ETag"] == f'"{order.version + 1}"'
    assert [p["name"] for p in body["products"]] == ["Mythos", "Fable 5"]
    # If-Match with the version read before: refused, nothing added.
    stale = api.post(
        url,
        {"product": make_product("Haiku").pk, "required_action": "Block"},
        format="json",
        HTTP_IF_MATCH=f'"{order.version}"',
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert order.product_links.count() == 2
    # Without a version the addition is not checked (an addition overwrites nothing).
    plain = api.post(url, {"product": make_product("Sonnet").pk, "required_action": "Block"}, format="json")
    assert plain.status_code == 201 and order.product_links.count() == 3


def test_patch_amends_the_editable_fields_with_version_or_if_match(legal: Any, order: Directive) -> None:
    api = client_for(legal)
    url = f"/api/v1/directives/{order.pk}/"
    response = api.patch(
        url, {"title": "Amended title", "scope": "Mythos"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Amended title" and body["scope"] == "Mythos" and body["version"] == 2
    entry = order.timeline.order_by("-seq").first()
    assert entry is not None
    assert entry.kind == "directive_amended" and entry.data["fields"]["title"]["from"] == order.title
    # A stale version: 409 with the current state; nothing written.
    stale = api.patch(url, {"title": "Lost update", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    # No version at all, an unknown or empty body, a taken reference: 400 naming the field.
    assert api.patch(url, {"title": "x"}, format="json").json()["field"] == "version"
    assert api.patch(url, {"version": 2}, format="json").status_code == 400
    make_directive(actor=legal, reference="TAKEN", authority=order.authority)
    taken = api.patch(url, {"reference": "TAKEN", "version": 2}, format="json")
    assert taken.status_code == 409 and taken.json()["field"] == "reference"  # taken: a conflict
    order.refresh_from_db()
    assert order.title == "Amended title" and order.version == 2


def test_patch_is_refused_to_engineers(engineer: Any, order: Directive) -> None:
    response = client_for(engineer).patch(
        f"/api/v1/directives/{order.pk}/", {"title": "x", "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_patch_edits_an_authority_with_its_version(legal: Any, order: Directive) -> None:
    api = client_for(legal)
    url = f"/api/v1/authorities/{order.authority_id}/"
    response = api.patch(url, {"short_name": "BIS", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["short_name"] == "BIS"
    assert response.json()["version"] == 2
    # Its directives' deadlines were counted in its zone: the zone stays.
    moved = api.patch(url, {"time_zone": "Europe/Brussels", "version": 2}, format="json")
    assert moved.status_code == 409 and moved.json()["field"] == "time_zone"  # the zone is in use
    assert api.patch(url, {"short_name": "x", "version": 1}, format="json").status_code == 409


def test_a_task_or_obligation_may_carry_the_directive_version_read(legal: Any, order: Directive) -> None:
    api = client_for(legal)
    read = order.version
    api.patch(
        f"/api/v1/directives/{order.pk}/", {"summary": "Changed meanwhile", "version": read}, format="json"
    )
    task = {"directive": order.pk, "title": "Patch the jailbreak", "directive_version": read}
    stale = api.post("/api/v1/tasks/", task, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    obligation = {
        "directive": order.pk,
        "title": "Report",
        "deadline_rule": "hours",
        "deadline_amount": 24,
        "directive_version": read,
    }
    assert api.post("/api/v1/obligations/", obligation, format="json").status_code == 409
    fresh = api.post("/api/v1/tasks/", {**task, "directive_version": read + 1}, format="json")
    assert fresh.status_code == 201
    assert (
        api.post("/api/v1/obligations/", {**obligation, "directive_version": None}, format="json").status_code
        == 201
    )
