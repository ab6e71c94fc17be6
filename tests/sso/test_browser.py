"""Signing in and out with the identity provider in a real browser (Debian's Chromium): Docket's login
page -> the provider's login form -> back to Docket with the role from the provider's groups; sign-out
ends Docket's session and the provider's, and comes back to Docket's login page. No CSP violation (the
sign-out form's redirect to the provider is allowed by form-action)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from directives.sso.models import SignInEvent
from tests.browser import ConsoleLog

from .provider import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_sign_in_and_out_with_the_provider_in_a_browser(
    page: Any, live_server: Any, sso: Any, console: ConsoleLog
) -> None:
    sso.register_docket(
        redirect_uri=f"{live_server.url}/sign-in/oidc/callback/", signed_out=f"{live_server.url}/login/"
    )
    sso.person("katherine", groups=["docket-legal"], first_name="Katherine", last_name="Johnson")

    page.goto("/login/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    assert page.url.startswith(sso.url)
    page.get_by_label("Username").fill("katherine")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()

    expect(page.get_by_text("Katherine Johnson")).to_be_visible()
    expect(page.get_by_text("(legal)")).to_be_visible()
    assert page.url.startswith(live_server.url) and "/desk/" in page.url  # legal's home

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")
    expect(page.get_by_text("You have signed out of Docket.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in with Test IdP")).to_be_visible()
    page.goto(f"{sso.url}/control/whoami/")
    assert '"username": null' in page.content()  # the provider's session ended too
    assert console.csp_violations == []
    kinds = list(
        SignInEvent.objects.filter(username="katherine").order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["role_granted", "signed_in", "signed_out"]
