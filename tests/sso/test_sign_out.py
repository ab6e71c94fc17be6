"""Sign-out ends Docket's session and, for a session that came from the provider, the provider's
(RP-initiated logout, with the ID token as hint); a password session just ends. Both are recorded."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from directives.sso.models import SignInEvent, SignInEventKind

from .conftest import sign_in
from .provider import DOCKET_SIGNED_OUT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("address", ["sign_out", "logout"])
def test_sign_out_ends_the_docket_session_and_the_providers(client, sso, address) -> None:
    sso.person("ida", groups=["docket-legal"])
    browser = sso.browser("ida")
    sign_in(client, sso, "ida", browser=browser)
    assert sso.signed_in_here(browser) == "ida"

    response = client.post(reverse(address))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("directive_list")).status_code == 302  # to the login page

    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{sso.issuer}/logout/"
    params = parse_qs(location.query)
    assert params["client_id"] == ["docket"] and params["post_logout_redirect_uri"] == [DOCKET_SIGNED_OUT]
    assert params["id_token_hint"][0].count(".") == 2

    # The browser follows it to the provider, which ends its own session and sends it back to Docket.
    back = browser.get(response["Location"], allow_redirects=False, timeout=30)
    assert back.status_code == 302 and back.headers["Location"] == DOCKET_SIGNED_OUT
    assert sso.signed_in_here(browser) is None
    signed_out = SignInEvent.objects.get(kind=SignInEventKind.SIGNED_OUT)
    assert (signed_out.username, signed_out.method) == ("ida", "sso")


def test_sign_out_of_a_password_session_stays_in_docket(client, sso, legal) -> None:
    client.post(reverse("login"), {"username": legal.username, "password": "pw-for-tests-only"})
    assert "_auth_user_id" in client.session
    response = client.post(reverse("sign_out"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    kinds = list(SignInEvent.objects.order_by("pk").values_list("kind", "method"))
    assert kinds == [("signed_in", "password"), ("signed_out", "password")]


def test_sign_out_is_post_only(client, legal) -> None:
    client.force_login(legal)
    assert client.get(reverse("sign_out")).status_code == 405
    assert "_auth_user_id" in client.session
