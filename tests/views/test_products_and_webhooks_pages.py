"""The pages that add a product (legal) and keep the webhook subscriptions (administrators): the same
services as the API, refusals as form errors that keep the input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from directives.models import Audience, Notification, Product, ProductAccess, WebhookEndpoint
from directives.services import webhooks as webhook_services

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_legal_adds_a_product_and_comes_back(legal: Any) -> None:
    client = _client(legal)
    page = client.get("/products/?next=/directives/new/")
    assert "Add a product" in page.content.decode()
    done = client.post(
        "/products/", {"name": "Claude Next", "owner_team": "Platform", "next": "/directives/new/"}
    )
    assert done.status_code == 302 and done["Location"] == "/directives/new/"
    product = Product.objects.get(name="Claude Next")
    assert ProductAccess.objects.filter(product=product).count() == Audience.objects.count()
    listed = client.get("/products/").content.decode()
    assert "Claude Next" in listed and "Platform" in listed and "Added the product Claude Next." in listed


def test_a_duplicate_product_is_a_form_error_that_keeps_the_input(legal: Any) -> None:
    client = _client(legal)
    client.post("/products/", {"name": "Fable 5"})
    again = client.post("/products/", {"name": "fable 5", "description": "Second try"})
    assert again.status_code == 409  # a name already taken: a conflict, shown on the form
    body = again.content.decode()
    assert "A product named &#x27;fable 5&#x27; already exists." in body and "Second try" in body
    assert Product.objects.count() == 1


def test_engineers_see_products_but_add_none(engineer: Any) -> None:
    client = _client(engineer)
    page = client.get("/products/")
    assert page.status_code == 200 and "Add a product" not in page.content.decode()
    assert client.post("/products/", {"name": "Nope"}).status_code == 403
    assert not Product.objects.exists()


def test_an_administrator_adds_edits_and_removes_a_webhook(admin_user: Any) -> None:
    client = _client(admin_user)
    assert "Add a webhook" in client.get("/webhooks/").content.decode()
    added = client.post(
        "/webhooks/",
        {
            "name": "pager",
            "url": "https://hooks.example/pager",
            "secret": "s" * 20,
            "events": ["escalated"],
            "active": "on",
        },
    )
    assert added.status_code == 302
    webhook = WebhookEndpoint.objects.get()
    assert webhook.events == ["escalated"] and webhook.active and webhook.secret == "s" * 20
    edit = client.get(f"/webhooks/{webhook.pk}/").content.decode()
    assert "Edit pager" in edit and "s" * 20 not in edit  # the secret is never shown back
    saved = client.post(f"/webhooks/{webhook.pk}/", {"name": "pager", "url": "https://hooks.example/p2"})
    assert saved.status_code == 302
    webhook.refresh_from_db()
    assert webhook.url == "https://hooks.example/p2" and not webhook.active and webhook.secret == "s" * 20
    assert client.post(f"/webhooks/{webhook.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_a_webhook_something_was_sent_to_is_kept(admin_user: Any) -> None:
    webhook = webhook_services.create_webhook(
        name="ops", url="https://hooks.example/ops", secret="x" * 16, actor=admin_user
    )
    Notification.objects.create(
        idempotency_key="k",
        channel="webhook",
        event="escalated",
        recipient="webhook:ops",
        webhook=webhook,
        next_attempt_at=webhook.created_at,
        created_at=webhook.created_at,
    )
    refused = _client(admin_user).post(f"/webhooks/{webhook.pk}/delete/")
    assert refused.status_code == 409
    assert "has notifications on record; deactivate it" in refused.content.decode()
    assert WebhookEndpoint.objects.filter(pk=webhook.pk).exists()


def test_bad_webhook_input_keeps_it(admin_user: Any) -> None:
    response = _client(admin_user).post(
        "/webhooks/", {"name": "pager", "url": "ftp://nope", "secret": "short"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="pager"' in body and "Enter a valid URL." in body
    assert "Ensure this value has at least 16 characters (it has 5)." in body
    assert not WebhookEndpoint.objects.exists()


def test_others_may_not_keep_webhooks(legal: Any) -> None:
    client = _client(legal)
    assert client.get("/webhooks/").status_code == 403
    assert client.post("/webhooks/", {"name": "x"}).status_code == 403
