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
