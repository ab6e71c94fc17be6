"""Signing in with the identity provider: a person's first sign-in creates their account from the claims,
roles follow the provider's groups at every sign-in, and matching is by subject, never by e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from directives.choices import Role
from directives.permissions import roles_of
from directives.sso.models import SignInEvent, SignInEventKind, SignInIdentity, SignInMethod
from tests.factories import UserFactory

from .conftest import sign_in, start_sign_in

pytestmark = pytest.mark.django_db


def _user(username: str):
    return get_user_model().objects.get(username=username)


def test_first_sign_in_creates_the_account_with_roles_from_groups(client, sso) -> None:
    subject = sso.person(
        "ada", groups=["docket-legal", "unrelated-group"], first_name="Ada", last_name="Lovelace"
    )
    attempt = sign_in(client, sso, "ada")
    assert attempt.response.status_code == 302 and attempt.response["Location"] == "/"
    user = _user("ada")
    assert (user.first_name, user.last_name, user.email) == ("Ada", "Lovelace", "ada@corp.example")
    assert not user.has_usable_password()
    assert roles_of(user) == {Role.LEGAL}
    assert SignInIdentity.objects.get(user=user).subject == subject
    # Docket's session is the person's: the home page sends legal to the legal desk.
    assert client.get("/").status_code == 302
    assert client.get(reverse("directive_list")).status_code == 200
    events = list(
        SignInEvent.objects.filter(user=user).order_by("pk").values_list("kind", "method", "detail")
    )
    assert events == [
        (SignInEventKind.ROLE_GRANTED, SignInMethod.SSO, "legal"),
        (SignInEventKind.SIGNED_IN, SignInMethod.SSO, "roles: legal"),
    ]
    assert SignInEvent.objects.get(kind=SignInEventKind.SIGNED_IN).ip_address == "127.0.0.1"


def test_the_authorization_request_uses_pkce_state_and_nonce(client, sso) -> None:
    params = dict(p.split("=", 1) for p in start_sign_in(client).split("?", 1)[1].split("&"))
    assert params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["client_id"] == "docket"


def test_a_group_removed_at_the_provider_takes_the_role_away_at_the_next_sign_in(client, sso) -> None:
    sso.person("grace", groups=["docket-engineering", "docket-auditors"])
    sign_in(client, sso, "grace")
    assert roles_of(_user("grace")) == {Role.ENGINEERING, Role.AUDITOR}
    client.post(reverse("sign_out"))

    sso.person("grace", groups=["docket-engineering"])  # removed from the auditors at the provider
    sign_in(client, sso, "grace")
    assert roles_of(_user("grace")) == {Role.ENGINEERING}
    removed = SignInEvent.objects.get(kind=SignInEventKind.ROLE_REMOVED)
    assert (removed.username, removed.detail) == ("grace", "auditor")
    assert SignInIdentity.objects.filter(user__username="grace").count() == 1  # the same account


def test_a_person_with_no_mapped_group_gets_no_role_and_a_page_that_says_so(client, sso) -> None:
    sso.person("nobody", groups=["marketing"])
    attempt = sign_in(client, sso, "nobody")
    assert attempt.response.status_code == 302
    assert attempt.response["Location"] == reverse("sso_no_role")
    page = client.get(reverse("sso_no_role"))
    assert b"You have no role in Docket" in page.content
    assert b"docket-legal" in page.content and b"Test IdP" in page.content
    assert roles_of(_user("nobody")) == frozenset()
    assert client.get(reverse("directive_list")).status_code == 403


def test_roles_granted_by_hand_yield_to_the_provider_at_the_next_sign_in(client, sso) -> None:
    sso.person("hopper", groups=["docket-executives"])
    sign_in(client, sso, "hopper")
    _user("hopper").groups.add(Group.objects.get(name="legal"))  # by hand, in the admin
    client.post(reverse("sign_out"))
    sign_in(client, sso, "hopper")
    assert roles_of(_user("hopper")) == {Role.EXECUTIVE}


def test_an_existing_account_with_the_same_email_is_not_taken_over(client, sso) -> None:
    """Matching is by the provider's subject, never by e-mail alone: the local account stays untouched and
    the sign-in is refused until an administrator links the two."""
    local: Any = UserFactory(username="local-ada", email="mallory@corp.example", role=Role.LEGAL)
    sso.person("mallory", groups=["docket-auditors"])
    attempt = sign_in(client, sso, "mallory")
    assert attempt.response.status_code == 403
    assert b"an administrator must link it" in attempt.response.content
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(username="mallory").exists()
    local.refresh_from_db()
    assert roles_of(local) == {Role.LEGAL}
    refusal = SignInEvent.objects.get(kind=SignInEventKind.REFUSED)
    assert refusal.reason == "email_in_use" and refusal.subject


def test_an_account_linked_by_subject_signs_in_as_itself(client, sso) -> None:
    """An administrator links an existing account to the person's subject; then it is that account."""
    local: Any = UserFactory(username="linus", email="linus-old@docket.example")
    subject = sso.person("linus-at-idp", groups=["docket-engineering"], email="linus@corp.example")
    SignInIdentity.objects.create(
        user=local, issuer=sso.issuer, subject=subject, created_at=local.date_joined
    )
    sign_in(client, sso, "linus-at-idp")
    assert int(client.session["_auth_user_id"]) == local.pk
    local.refresh_from_db()
    assert local.email == "linus@corp.example"  # the provider is the source of truth for the profile
    assert roles_of(local) == {Role.ENGINEERING}


def test_a_deactivated_account_is_refused(client, sso) -> None:
    sso.person("gone", groups=["docket-legal"])
    sign_in(client, sso, "gone")
    client.post(reverse("sign_out"))
    get_user_model().objects.filter(username="gone").update(is_active=False)
    attempt = sign_in(client, sso, "gone")
    assert attempt.response.status_code == 403 and b"deactivated" in attempt.response.content
    assert "_auth_user_id" not in client.session


def test_sso_is_off_unless_configured(client) -> None:
    assert client.get(reverse("sso_start")).status_code == 404
    assert client.get(reverse("sso_callback") + "?code=x&state=y").status_code == 404
    page = client.get(reverse("login"))
    assert b"Sign in with" not in page.content and b'name="password"' in page.content


def test_the_login_page_offers_the_provider(client, sso) -> None:
    page = client.get(reverse("login") + "?next=/tasks/")
    assert b"Sign in with Test IdP" in page.content
    assert b"/sign-in/oidc/start/?next=/tasks/" in page.content
