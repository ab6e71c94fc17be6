"""API tokens keep working with single sign-on and can be revoked: by their owner on their token page and
by an administrator in the admin. A revoked token stops working at once; both are recorded."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from directives.sso.models import SignInEvent, SignInEventKind

pytestmark = pytest.mark.django_db


def _me(client, key: str) -> int:
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def _create(client) -> str:
    page = client.post(reverse("api_tokens"), {"action": "create"})
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    found = re.search(rb'id="new-token" value="([0-9a-f]{40})"', page.content)
    assert found is not None, page.content[:500]
    return found.group(1).decode()


def test_a_person_creates_sees_and_revokes_their_own_token(client, engineer) -> None:
    client.force_login(engineer)
    assert b"You have no API token" in client.get(reverse("api_tokens")).content
    key = _create(client)
    assert _me(client, key) == 200
    page = client.get(reverse("api_tokens")).content
    assert key[:6].encode() in page and key.encode() not in page  # shown once, then only its start

    response = client.post(reverse("api_tokens"), {"action": "revoke"})
    assert response.status_code == 302
    assert _me(client, key) == 401
    events = list(SignInEvent.objects.order_by("pk").values_list("kind", "username", "actor_label"))
    assert events[-2:] == [
        (SignInEventKind.TOKEN_CREATED, engineer.username, engineer.username),
        (SignInEventKind.TOKEN_REVOKED, engineer.username, engineer.username),
    ]


def test_replacing_a_token_stops_the_old_one(client, engineer) -> None:
    client.force_login(engineer)
    old = _create(client)
    new = _create(client)
    assert old != new and _me(client, old) == 401 and _me(client, new) == 200


def test_a_person_cannot_touch_someone_elses_token(client, engineer, legal) -> None:
    theirs = Token.objects.create(user=legal)
    client.force_login(engineer)
    client.post(reverse("api_tokens"), {"action": "revoke", "user": legal.pk})
    assert Token.objects.filter(pk=theirs.pk).exists()
    assert client.post(reverse("api_tokens"), {"action": "steal"}).status_code == 400


def test_an_administrator_revokes_a_token_in_the_admin(client, admin_user, legal) -> None:
    token = Token.objects.create(user=legal)
    assert _me(client, token.key) == 200
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert changelist.status_code == 200 and legal.username.encode() in changelist.content
    delete = reverse("admin:authtoken_tokenproxy_delete", args=[legal.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    client.logout()
    assert _me(client, token.key) == 401
    revoked = SignInEvent.objects.get(kind=SignInEventKind.TOKEN_REVOKED)
    assert (revoked.username, revoked.actor_label, revoked.detail) == (
        legal.username,
        admin_user.username,
        "by an administrator",
    )


def test_tokens_keep_working_when_local_passwords_are_off(client, settings, engineer) -> None:
    settings.DOCKET_LOCAL_PASSWORDS = False
    client.force_login(engineer)
    key = _create(client)
    client.logout()
    assert _me(client, key) == 200
