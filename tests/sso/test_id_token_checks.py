"""What Docket refuses in the provider's answer: a tampered ID token, one issued to another application,
one signed with the client secret, a replayed one (nonce), an expired one, and a callback whose state
this browser never sent. Each refusal leaves nobody signed in and is in the sign-in record."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from directives.sso.backends import SignInBackend
from directives.sso.models import SignInEvent, SignInEventKind

from .conftest import sign_in, start_sign_in
from .provider import CLIENT_SECRET

pytestmark = pytest.mark.django_db


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _replace_id_token(monkeypatch: pytest.MonkeyPatch, change: Any) -> list[str]:
    """The token endpoint's real answer, with its ID token replaced by ``change(real_id_token)``; returns
    the real ones it saw."""
    real = SignInBackend.get_token
    seen: list[str] = []

    def get_token(self: SignInBackend, payload: dict[str, Any]) -> dict[str, Any]:
        answer = real(self, payload)
        seen.append(answer["id_token"])
        return {**answer, "id_token": change(answer["id_token"])}

    monkeypatch.setattr(SignInBackend, "get_token", get_token)
    return seen


def _refused(response: Any, client: Client, reason: str, status: int = 403) -> SignInEvent:
    assert response.status_code == status, response.content[:300]
    assert f'data-reason="{reason}"'.encode() in response.content
    assert "_auth_user_id" not in client.session
    event = SignInEvent.objects.get(kind=SignInEventKind.REFUSED)
    assert event.reason == reason and event.method == "sso"
    return event


def test_a_tampered_id_token_is_refused(client, sso, monkeypatch) -> None:
    """Someone between the provider and Docket adds a group to the token: the signature no longer holds."""
    sso.person("trudy", groups=["marketing"])

    def add_legal(token: str) -> str:
        header, _, signature = token.split(".")
        claims = {**_claims(token), "groups": ["docket-legal"]}
        return ".".join([header, _b64(json.dumps(claims).encode()), signature])

    _replace_id_token(monkeypatch, add_legal)
    attempt = sign_in(client, sso, "trudy")
    _refused(attempt.response, client, "token_invalid")
    assert not get_user_model().objects.filter(username="trudy").exists()


def test_an_id_token_issued_to_another_application_is_refused(client, sso, monkeypatch) -> None:
    """A genuine token from the same provider, signed with its key and even carrying this sign-in's nonce,
    but issued to another application (its ``aud``): refused for its audience."""
    sso.person("eve", groups=["docket-legal"])
    browser = sso.browser("eve")
    authorize_url = start_sign_in(client)
    nonce = dict(p.split("=", 1) for p in urlsplit(authorize_url).query.split("&"))["nonce"]
    foreign = sso.id_token_for_other_app(browser, nonce=nonce)
    assert _claims(foreign)["aud"] == "another-app" and _claims(foreign)["nonce"] == nonce
    _replace_id_token(monkeypatch, lambda real: foreign)
    callback = urlsplit(sso.authorize(browser, authorize_url))
    response = client.get(f"{callback.path}?{callback.query}")
    event = _refused(response, client, "wrong_audience")
    assert event.detail == "another-app"


def test_an_id_token_signed_with_the_client_secret_is_refused(client, sso, monkeypatch) -> None:
    """HS256 with the (shared) client secret, or ``alg: none``: never accepted, whatever the claims."""
    sso.person("mac", groups=["docket-legal"])
    _replace_id_token(monkeypatch, lambda real: jwt.encode(_claims(real), CLIENT_SECRET, algorithm="HS256"))
    _refused(sign_in(client, sso, "mac").response, client, "token_invalid")
    SignInEvent.objects.all().delete()
    unsigned = lambda real: _b64(b'{"alg":"none","typ":"JWT"}') + "." + real.split(".")[1] + "."  # noqa: E731
    _replace_id_token(monkeypatch, unsigned)
    _refused(sign_in(client, sso, "mac").response, client, "token_invalid")


def test_a_replayed_id_token_is_refused_by_its_nonce(client, sso, monkeypatch) -> None:
    """A token from an earlier sign-in, valid and for Docket, replayed into a new one."""
    sso.person("replay", groups=["docket-legal"])
    earlier = _replace_id_token(monkeypatch, lambda real: real)
    sign_in(client, sso, "replay")
    client.post(reverse("sign_out"))
    _replace_id_token(monkeypatch, lambda real: earlier[0])
    _refused(sign_in(client, sso, "replay").response, client, "nonce_mismatch")


def test_an_expired_id_token_is_refused(client, sso, monkeypatch) -> None:
    sso.person("late", groups=["docket-legal"])
    browser = sso.browser("late")
    authorize_url = start_sign_in(client)
    callback = urlsplit(sso.authorize(browser, authorize_url))
    expires = dt.datetime.fromtimestamp(0, tz=dt.UTC)

    def after_expiry(real: str) -> str:
        nonlocal expires
        expires = dt.datetime.fromtimestamp(_claims(real)["exp"], tz=dt.UTC)
        return real

    _replace_id_token(monkeypatch, after_expiry)
    real_decode = jwt.decode

    def decode_later(*args: Any, **kwargs: Any) -> Any:
        with time_machine.travel(expires + dt.timedelta(minutes=5), tick=False):
            return real_decode(*args, **kwargs)

    monkeypatch.setattr("directives.sso.backends.jwt.decode", decode_later)
    response = client.get(f"{callback.path}?{callback.query}")
    _refused(response, client, "token_expired")


def test_a_callback_with_a_state_this_browser_never_sent_is_refused(client, sso) -> None:
    sso.person("csrf", groups=["docket-legal"])
    browser = sso.browser("csrf")
    callback = urlsplit(sso.authorize(browser, start_sign_in(client)))
    forged = callback.query.replace("state=", "state=forged")
    _refused(client.get(f"{callback.path}?{forged}"), client, "state_mismatch", status=400)


def test_a_callback_in_a_browser_that_started_no_sign_in_is_refused(client, sso) -> None:
    """Login CSRF: an attacker's own code and state, delivered to the victim's browser."""
    sso.person("attacker", groups=["docket-legal"])
    attackers_client = Client()
    callback = urlsplit(sso.authorize(sso.browser("attacker"), start_sign_in(attackers_client)))
    response = client.get(f"{callback.path}?{callback.query}")  # the victim's browser
    _refused(response, client, "no_sign_in_started", status=400)


def test_a_callback_replayed_after_use_is_refused(client, sso) -> None:
    sso.person("twice", groups=["docket-legal"])
    attempt = sign_in(client, sso, "twice")
    assert attempt.response.status_code == 302
    client.post(reverse("sign_out"))
    callback = urlsplit(attempt.callback_url)
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_an_error_from_the_provider_is_refused_and_recorded(client, sso) -> None:
    start_sign_in(client)
    response = client.get(reverse("sso_callback") + "?error=access_denied&state=whatever")
    event = _refused(response, client, "provider_error")
    assert event.detail == "access_denied"
