"""Login throttling: django-axes locks out repeated failures on the login form; the API token endpoint
has its own throttle (and axes counts its failures too)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse

from ..factories import UserFactory

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def victim(db):
    return UserFactory(username="victim")


def _login(client, username: str, password: str, ip: str = "198.51.100.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_form_locks_out_after_the_failure_limit(client, victim) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = _login(client, "victim", "wrong")
        assert response.status_code == 200  # the form again, with its error
        assert "_auth_user_id" not in client.session
    response = _login(client, "victim", "wrong")
    assert response.status_code == 429
    # Locked: even the right password is refused now, with a message that says why.
    response = _login(client, "victim", PASSWORD)
    assert response.status_code == 429
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    expected = f"Too many failed login attempts: this account or address is locked for {minutes} minutes"
    assert expected.encode() in response.content
    assert response["Retry-After"] == str(minutes * 60)
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_from_any_address(client, victim) -> None:
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "victim", "wrong", ip=f"203.0.113.{i + 1}")
    assert _login(client, "victim", PASSWORD, ip="192.0.2.200").status_code == 429


def test_lockout_is_per_address_across_usernames(client, victim) -> None:
    """Password spraying from one address: many usernames, one guess each."""
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"someone{i}", "Winter2026!", ip="198.51.100.66")
    assert _login(client, "victim", PASSWORD, ip="198.51.100.66").status_code == 429
    # ...while the victim can still log in from their own address.
    response = _login(client, "victim", PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302


def test_success_before_the_limit_resets_the_count(client, victim) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "victim", "wrong")
    assert _login(client, "victim", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "victim", "wrong")
    assert _login(client, "victim", PASSWORD).status_code == 302


def test_authenticate_itself_refuses_a_locked_out_user(rf, victim) -> None:
    """Any login path that goes through django.contrib.auth.authenticate with a request is covered."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        request = rf.post("/login/", REMOTE_ADDR="198.51.100.9")
        assert authenticate(request=request, username="victim", password="wrong") is None
    assert AccessAttempt.objects.filter(username="victim", failures_since_start__gte=5).exists()
    request = rf.post("/login/", REMOTE_ADDR="198.51.100.9")
    assert authenticate(request=request, username="victim", password=PASSWORD) is None


def _token_url() -> str:
    try:
        return reverse("api:token")
    except NoReverseMatch:
        pytest.fail("The API token endpoint (api:token) is missing")


def test_api_token_endpoint_is_throttled(client, victim, settings) -> None:
    settings.AXES_ENABLED = False  # measure the DRF throttle on its own
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]
    allowed = int(rate.split("/")[0])
    url = _token_url()
    statuses = [
        client.post(
            url,
            {"username": "victim", "password": "wrong"},
            content_type="application/json",
            REMOTE_ADDR="198.51.100.20",
        ).status_code
        for _ in range(allowed + 1)
    ]
    assert statuses[:allowed] == [401] * allowed  # wrong password: 401, until the throttle answers
    assert statuses[-1] == 429
    response = client.post(
        url,
        {"username": "victim", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 429
    assert "Retry-After" in response


def test_api_token_failures_count_towards_the_axes_lockout(client, victim) -> None:
    url = _token_url()
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            url,
            {"username": "victim", "password": "wrong"},
            content_type="application/json",
            REMOTE_ADDR=f"203.0.113.{50 + i}",
        )
    cache.clear()  # not the DRF throttle: the lockout
    assert _login(client, "victim", PASSWORD, ip="192.0.2.77").status_code == 429
    response = client.post(
        url,
        {"username": "victim", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.78",
    )
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out" and "Too many failed login attempts" in body["detail"]
    assert "token" not in body
