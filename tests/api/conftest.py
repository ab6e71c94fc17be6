from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from directives.choices import Role
from directives.models import Authority
from tests.factories import AuthorityFactory, UserFactory

ET_FRIDAY_1721 = dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)


def client_for(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(legal: Any) -> APIClient:
    """A client authenticated as legal (token)."""
    return client_for(legal)


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    return {
        "anonymous": None,
        "legal": UserFactory(username="m-legal", role=Role.LEGAL),
        "engineering": UserFactory(username="m-eng", role=Role.ENGINEERING),
        "executive": UserFactory(username="m-exec", role=Role.EXECUTIVE),
        "auditor": UserFactory(username="m-audit", role=Role.AUDITOR),
        "staff": UserFactory(username="m-staff", is_staff=True, is_superuser=True),
    }


def new_authority(**kwargs: Any) -> Authority:
    return cast(Authority, AuthorityFactory(**kwargs))


def directive_body(authority_id: int, **overrides: Any) -> dict[str, Any]:
    """A directive as the intake takes it: the Commerce order of Friday 17:21 ET."""
    body = {
        "authority": authority_id,
        "reference": "BIS-ORD-AI-2026-0417",
        "title": "Order to block foreign nationals from Mythos and Fable 5",
        "kind": "export_control",
        "received_at": "2026-11-27T17:21:00-05:00",
    }
    body.update(overrides)
    return body
