"""Sign-in tests against the real test provider (tests/oidc_provider), started once per run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from .provider import CLIENT_ID, CLIENT_SECRET, Provider, start

ROLE_MAP = (
    "docket-legal=legal,docket-engineering=engineering,docket-executives=executive,docket-auditors=auditor"
)


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    yield from start(tmp_path_factory.mktemp("oidc-provider"))


@pytest.fixture
def sso(settings: Any, oidc_provider: Provider) -> Provider:
    """Docket configured for the test provider, the way the environment would (compliance/settings.py)."""
    settings.DOCKET_SSO_ENABLED = True
    settings.DOCKET_SSO_ISSUER = oidc_provider.issuer
    settings.DOCKET_SSO_CLIENT_ID = CLIENT_ID
    settings.DOCKET_SSO_CLIENT_SECRET = CLIENT_SECRET
    settings.DOCKET_SSO_SCOPES = "openid email profile groups"
    settings.DOCKET_SSO_GROUPS_CLAIM = "groups"
    settings.DOCKET_SSO_ROLE_MAP = ROLE_MAP
    settings.DOCKET_SSO_PROVIDER_NAME = "Test IdP"
    policy = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]}
    policy["form-action"] = ["'self'", oidc_provider.url]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": policy}
    return oidc_provider


@dataclass
class Attempt:
    """One sign-in through the provider: the authorization request Docket made, the provider's answer
    (the callback URL with code and state) and Docket's answer to it."""

    authorize_url: str
    callback_url: str
    response: Any

    @property
    def params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.authorize_url).query).items()}


def start_sign_in(client: Client, next_url: str = "") -> str:
    response = client.get(reverse("sso_start") + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content[:300]
    return str(response["Location"])


def sign_in(client: Client, provider: Provider, username: str, *, browser: Any = None) -> Attempt:
    authorize_url = start_sign_in(client)
    browser = browser or provider.browser(username)
    callback_url = provider.authorize(browser, authorize_url)
    parts = urlsplit(callback_url)
    assert parts.path == reverse("sso_callback"), callback_url
    return Attempt(authorize_url, callback_url, client.get(f"{parts.path}?{parts.query}"))
