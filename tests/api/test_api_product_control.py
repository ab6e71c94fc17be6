"""``/api/v1/products/{id}/control/``: the API twin of the product's control page (``services.controls``)."""

from __future__ import annotations

from typing import Any

import pytest

from directives.models import Control
from tests.factories import make_product

from .conftest import client_for

pytestmark = pytest.mark.django_db

TARGET = {"url": "https://switch.example/apply", "status_url": "https://switch.example/status"}


def test_staff_set_change_read_and_remove_a_control(admin_user: Any, engineer: Any) -> None:
    product = make_product("Fable 5")
    api = client_for(admin_user)
    url = f"/api/v1/products/{product.pk}/control/"
    assert api.get(url).status_code == 404
    put = api.put(url, {"kind": "webhook", "target": TARGET, "owner": engineer.username}, format="json")
    assert put.status_code == 200, put.content
    body = put.json()
    assert body["kind"] == "webhook" and body["target"] == TARGET and body["owner"] == engineer.username
    assert body["product"] == product.pk
    assert client_for(engineer).get(url).json()["target"] == TARGET  # every viewer reads it

    changed = api.put(url, {"kind": "manual"}, format="json")
    assert changed.status_code == 200 and changed.json()["target"] == {} and changed.json()["owner"] is None
    assert Control.objects.get(product=product).kind == "manual"

    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404 and not Control.objects.exists()
    assert api.delete(url).status_code == 409


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "webhook", "target": {"url": "https://a.example/"}}, "needs an http(s) status_url"),
        ({"kind": "manual", "target": {"api_token": "x"}}, "looks like a credential"),
        ({"kind": "unleash", "target": {"colour": "red"}}, "has no field 'colour'"),
        ({"kind": "webhook", "target": {"url": 5}}, "Must be a string"),
        ({"kind": "teleport"}, "not a valid choice"),
        ({"kind": "manual", "owner": "nobody-here"}, "does not exist"),
    ],
)
def test_a_refused_control_is_a_400_that_writes_nothing(admin_user: Any, body: Any, message: str) -> None:
    product = make_product("Fable 5")
    answer = client_for(admin_user).put(f"/api/v1/products/{product.pk}/control/", body, format="json")
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not Control.objects.exists()


def test_roles_without_manage_controls_are_refused_before_the_body_is_read(legal: Any) -> None:
    product = make_product("Fable 5")
    api = client_for(legal)
    url = f"/api/v1/products/{product.pk}/control/"
    assert api.put(url, {"kind": "nonsense"}, format="json").status_code == 403
    assert api.delete(url).status_code == 403
    assert not Control.objects.exists()
