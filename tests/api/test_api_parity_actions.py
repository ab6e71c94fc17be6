"""The API operations that do what a page does: a new calendar feed address, logging a message of the
intake mailbox, webhook subscriptions through ``services.webhooks``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.models import CalendarFeedToken, Directive, IntakeItem, IntakeState, WebhookEndpoint
from directives.models.calendar import hash_feed_token
from directives.services import mailbox
from tests.documents.samples import TRUSTED, order_eml
from tests.factories import make_product

from .conftest import client_for, directive_body, new_authority

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 27, 22, 30, tzinfo=dt.UTC)


def test_a_calendar_feed_address_is_made_then_replaced(engineer: Any) -> None:
    client = client_for(engineer)
    first = client.post("/api/v1/me/calendar-feed/")
    assert first.status_code == 200, first.json()
    assert first["Cache-Control"] == "no-store"
    body = first.json()
    assert body["replaced"] is False and body["url"].startswith("http://testserver/calendar/")
    token = body["url"].rsplit("/", 1)[-1].removesuffix(".ics")
    assert CalendarFeedToken.objects.get(user=engineer).token_hash == hash_feed_token(token)
    assert client.get(body["url"].removeprefix("http://testserver")).status_code == 200

    second = client.post("/api/v1/me/calendar-feed/").json()
    assert second["replaced"] is True and second["url"] != body["url"]
    assert client.get(body["url"].removeprefix("http://testserver")).status_code == 404


def test_anonymous_callers_get_no_feed() -> None:
    assert client_for(None).post("/api/v1/me/calendar-feed/").status_code == 401


@pytest.fixture
def item(settings: Any, tmp_path: Any) -> IntakeItem:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCKET_TRUSTED_MAIL_HOSTS = TRUSTED
    mailbox.queue_message(
        order_eml([("order.pdf", "application/pdf", b"%PDF-1.4 order")]),
        uid="3",
        mailbox="intake@imap/INBOX",
        now=NOW,
    )
    return IntakeItem.objects.get()


def test_legal_logs_a_waiting_message_as_a_directive(legal: Any, item: IntakeItem) -> None:
    authority = new_authority(name="U.S. Department of Commerce", time_zone="America/New_York")
    product = make_product("Fable 5")
    client = client_for(legal)
    url = f"/api/v1/intake-items/{item.pk}/log/"
    body = directive_body(
        authority.pk,
        received_at="2026-11-27T22:21:04Z",
        products=[{"product": product.pk, "required_action": "Block foreign nationals"}],
        obligations=[{"title": "Block foreign nationals", "deadline_rule": "immediately"}],
    )
    assert client.post(url, body, format="json").status_code == 428  # no version
    stale = client.post(url, {**body, "version": 7}, format="json")
    assert stale.status_code == 409 and not Directive.objects.exists()

    done = client.post(url, {**body, "version": 1}, format="json")
    assert done.status_code == 201, done.json()
    directive = Directive.objects.get()
    assert done.json()["id"] == directive.pk and done.json()["reference"] == "BIS-ORD-AI-2026-0417"
    assert [p["product"] for p in done.json()["products"]] == [product.pk]
    assert directive.obligations.count() == 1
    names = sorted(d.original_name for d in directive.documents.all())
    assert names == [f"mailbox-{item.pk}.eml", "order.pdf"]
    closed = IntakeItem.objects.get()
    assert closed.state == IntakeState.LOGGED and closed.directive_id == directive.pk
    assert client.get("/api/v1/intake-items/").json()["count"] == 0

    again = client.post(url, {**body, "reference": "OTHER", "version": 2}, format="json")
    assert again.status_code == 409 and Directive.objects.count() == 1


def test_a_refused_log_keeps_the_message_waiting(legal: Any, item: IntakeItem) -> None:
    client = client_for(legal)
    missing = client.post(f"/api/v1/intake-items/{item.pk}/log/", {"version": 1}, format="json")
    assert missing.status_code == 400 and "authority" in missing.json()["errors"]
    assert IntakeItem.objects.get().state == IntakeState.WAITING and not Directive.objects.exists()


def test_webhooks_are_written_by_the_service(admin_user: Any, legal: Any) -> None:
    client = client_for(admin_user)
    created = client.post(
        "/api/v1/webhooks/",
        {"name": "pager", "url": "https://hooks.example/pager", "secret": "s" * 24, "events": ["escalated"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["has_secret"] is True and "secret" not in created.json()
    pk = created.json()["id"]
    short = client.post(
        "/api/v1/webhooks/", {"name": "x", "url": "https://hooks.example/x", "secret": "short"}, format="json"
    )
    assert short.status_code == 400 and short.json()["field"] == "secret"
    changed = client.patch(f"/api/v1/webhooks/{pk}/", {"active": False}, format="json")
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert WebhookEndpoint.objects.get(pk=pk).secret == "s" * 24  # kept when not sent
    assert client_for(legal).delete(f"/api/v1/webhooks/{pk}/").status_code == 403
    assert client.delete(f"/api/v1/webhooks/{pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://9=Vlocalhost:2", " https://hooks.example/x", "ftp://hooks.example/x"]
)
def test_a_webhook_address_the_schema_does_not_allow_is_refused_naming_it(admin_user: Any, url: str) -> None:
    """The schema's pattern, checked on the address as sent: an odd host, a leading space, another scheme."""
    body = {"name": "x", "url": url, "secret": "s" * 24}
    refused = client_for(admin_user).post("/api/v1/webhooks/", body, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "url", refused.json()
    assert not WebhookEndpoint.objects.exists()


def test_a_message_whose_copy_is_gone_is_refused_and_stays_waiting(legal: Any, item: IntakeItem) -> None:
    authority = new_authority(name="U.S. Department of Commerce", time_zone="America/New_York")
    item.message.delete(save=False)
    response = client_for(legal).post(
        f"/api/v1/intake-items/{item.pk}/log/", {**directive_body(authority.pk), "version": 1}, format="json"
    )
    assert response.status_code == 400, response.json()
    assert "The stored message cannot be read" in response.json()["detail"]
    assert IntakeItem.objects.get().state == IntakeState.WAITING and not Directive.objects.exists()
