"""The product's control page: an administrator (``manage_controls``) connects a product to its switch,
changes and removes the control; every role that views sees it, none other changes it; a refusal of the
service is a form error that keeps the input, and no credential is ever asked for or shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from directives.models import Control
from directives.services import controls
from tests.factories import make_product

pytestmark = pytest.mark.django_db

WEBHOOK = {
    "kind": "webhook",
    "url": "https://switch.example/apply",
    "status_url": "https://switch.example/status",
}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_connects_changes_and_removes_a_control(admin_user: Any, engineer: Any) -> None:
    product = make_product("Fable 5")
    client = _client(admin_user)
    listed = client.get("/products/").content.decode()
    assert f'href="/products/{product.pk}/control/"' in listed
    page = client.get(f"/products/{product.pk}/control/").content.decode()
    assert "No control: Fable 5" in page and "Connect Fable 5" in page

    done = client.post(f"/products/{product.pk}/control/", {**WEBHOOK, "owner": engineer.pk, "flag": "x"})
    assert done.status_code == 302
    control = Control.objects.get(product=product)
    assert control.kind == "webhook" and control.owner == engineer
    assert control.target == {"url": WEBHOOK["url"], "status_url": WEBHOOK["status_url"]}
    shown = client.get(f"/products/{product.pk}/control/").content.decode()
    assert "Fable 5 is connected: Signed webhook." in shown and "https://switch.example/status" in shown
    assert "Signed webhook" in client.get("/products/").content.decode()

    client.post(f"/products/{product.pk}/control/", {"kind": "manual"})
    control.refresh_from_db()
    assert control.kind == "manual" and control.target == {} and control.owner is None

    removed = client.post(f"/products/{product.pk}/control/remove/")
    assert removed.status_code == 302 and not Control.objects.filter(product=product).exists()
    assert "only recorded" in client.get(f"/products/{product.pk}/control/").content.decode()
    again = client.post(f"/products/{product.pk}/control/remove/")
    assert again.status_code == 409 and "Fable 5 has no control to remove." in again.content.decode()


def test_a_refused_target_is_a_form_error_that_keeps_the_input(admin_user: Any) -> None:
    product = make_product("Fable 5")
    client = _client(admin_user)
    bad = client.post(
        f"/products/{product.pk}/control/", {"kind": "webhook", "url": "ftp://switch.example/apply"}
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "A webhook control needs an http(s) url." in body and "ftp://switch.example/apply" in body
    unleash = client.post(
        f"/products/{product.pk}/control/", {"kind": "unleash", "flag": "bad flag!", "project": "default"}
    )
    assert unleash.status_code == 400 and "bad flag!" in unleash.content.decode()
    assert "Unleash target: flag" in unleash.content.decode()
    assert not Control.objects.exists()


@pytest.mark.parametrize("role", ["legal", "engineer", "executive"])
def test_roles_see_the_control_but_never_change_it(role: str, request: pytest.FixtureRequest) -> None:
    product = make_product("Fable 5")
    controls.set_control(product=product, kind="webhook", target=dict(list(WEBHOOK.items())[1:]))
    client = _client(request.getfixturevalue(role))
    page = client.get(f"/products/{product.pk}/control/")
    body = page.content.decode()
    assert page.status_code == 200 and "Signed webhook" in body and "https://switch.example/apply" in body
    assert "Save the control" not in body and "Remove the control" not in body
    assert client.post(f"/products/{product.pk}/control/", {"kind": "manual"}).status_code == 403
    assert client.post(f"/products/{product.pk}/control/remove/").status_code == 403
    assert Control.objects.get(product=product).kind == "webhook"


def test_no_credential_is_asked_for_or_kept(admin_user: Any) -> None:
    product = make_product("Fable 5")
    client = _client(admin_user)
    page = client.get(f"/products/{product.pk}/control/").content.decode().lower()
    assert 'type="password"' not in page and "secret" not in page.split("<form")[1]
    client.post(f"/products/{product.pk}/control/", {**WEBHOOK, "api_key": "hunter2hunter2"})
    assert "api_key" not in Control.objects.get(product=product).target
