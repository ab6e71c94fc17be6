"""Local passwords can be switched off (DOCKET_LOCAL_PASSWORDS=false): every password path refuses them
except for the configured break-glass staff accounts, and django-axes still locks out guesses."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from directives.sso.models import SignInEvent, SignInEventKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def passwords_off(settings, sso):
    settings.DOCKET_LOCAL_PASSWORDS = False
    settings.DOCKET_BREAK_GLASS_USERS = ["breakglass"]
    return settings


def _login(client, username, password=PASSWORD, ip="198.51.100.20"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_with_passwords_off_only_break_glass_staff_sign_in_with_one(client, passwords_off, legal) -> None:
    UserFactory(username="breakglass", is_staff=True, is_superuser=True)
    UserFactory(username="other-admin", is_staff=True)
    assert _login(client, legal.username).status_code == 200  # the form again: refused
    assert _login(client, "other-admin").status_code == 200
    assert "_auth_user_id" not in client.session
    assert _login(client, "breakglass").status_code == 302
    assert "_auth_user_id" in client.session
    refusals = SignInEvent.objects.filter(kind=SignInEventKind.REFUSED).values_list("username", "reason")
    assert sorted(refusals) == [(legal.username, "password"), ("other-admin", "password")]


def test_a_break_glass_name_without_staff_status_is_refused(client, passwords_off) -> None:
    UserFactory(username="breakglass")  # listed, but not staff
    assert _login(client, "breakglass").status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_login_page_says_passwords_are_off(client, passwords_off) -> None:
    page = client.get(reverse("login")).content
    assert b"Sign in with Test IdP" in page
    assert b"Break-glass administrator accounts" in page and b'name="password"' in page


def test_the_api_token_endpoint_refuses_local_passwords_too(client, passwords_off, legal) -> None:
    response = client.post(
        "/api/v1/auth/token/",
        {"username": legal.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401
    breakglass = UserFactory(username="breakglass", is_staff=True)
    response = client.post(
        "/api/v1/auth/token/",
        {"username": breakglass.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["token"]


def test_the_admin_login_refuses_local_passwords_too(client, passwords_off) -> None:
    UserFactory(username="other-admin", is_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": "other-admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_lockout_still_applies_to_break_glass_passwords(client, passwords_off) -> None:
    UserFactory(username="breakglass", is_staff=True)
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        _login(client, "breakglass", password="wrong")
    response = _login(client, "breakglass")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert SignInEvent.objects.filter(reason="locked_out", username="breakglass").exists()


def test_a_locked_out_address_can_still_sign_in_with_the_provider(client, sso) -> None:
    """The lockout counts password guesses; the provider's callback carries none and is not blocked."""
    from .conftest import sign_in

    for i in range(django_settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess{i}", password="wrong", ip="127.0.0.1")
    assert _login(client, "guess0", ip="127.0.0.1").status_code == 429
    sso.person("office", groups=["docket-legal"])
    attempt = sign_in(client, sso, "office")
    assert attempt.response.status_code == 302 and "_auth_user_id" in client.session


def test_passwords_stay_on_by_default(client, legal) -> None:
    assert _login(client, legal.username).status_code == 302
