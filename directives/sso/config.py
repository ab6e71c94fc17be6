"""Single sign-on as configured (``DOCKET_SSO_*``, ``DOCKET_LOCAL_PASSWORDS``, ``DOCKET_BREAK_GLASS_USERS``),
the role mapping, and the provider's published metadata (OpenID Connect Discovery).

mozilla-django-oidc reads its own ``OIDC_*`` names; ``oidc_setting`` answers them from Docket's settings
and the discovered endpoints, so there is one source of truth and tests can change it at run time."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

from ..choices import Role

# Asymmetric algorithms only: an ID token signed with the client secret (HS*) or not at all is refused.
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
METADATA_CACHE_SECONDS = 3600
DISCOVERY_PATH = "/.well-known/openid-configuration"


class ProviderUnavailable(Exception):
    """The provider's metadata could not be read, or does not describe the configured issuer."""


def enabled() -> bool:
    return bool(getattr(settings, "DOCKET_SSO_ENABLED", False))


def provider_name() -> str:
    return str(getattr(settings, "DOCKET_SSO_PROVIDER_NAME", "") or "your company account")


def issuer() -> str:
    return str(getattr(settings, "DOCKET_SSO_ISSUER", "") or "")


def client_id() -> str:
    return str(getattr(settings, "DOCKET_SSO_CLIENT_ID", "") or "")


def groups_claim() -> str:
    return str(getattr(settings, "DOCKET_SSO_GROUPS_CLAIM", "") or "groups")


def local_passwords_allowed() -> bool:
    return bool(getattr(settings, "DOCKET_LOCAL_PASSWORDS", True))


def break_glass_usernames() -> frozenset[str]:
    return frozenset(str(name) for name in getattr(settings, "DOCKET_BREAK_GLASS_USERS", []) if name)


def password_allowed_for(user: Any) -> bool:
    """Local passwords for everyone, or, when switched off, for the configured break-glass staff only."""
    if local_passwords_allowed():
        return True
    return bool(user.is_staff and user.get_username() in break_glass_usernames())


# --- The role mapping -------------------------------------------------------------------------------


def parse_role_map(raw: str) -> tuple[dict[str, Role], list[str]]:
    """``DOCKET_SSO_ROLE_MAP``: ``group=role,group=role`` or a JSON object ``{"group": "role"}`` (for group
    names with commas, such as LDAP distinguished names). Returns the mapping and the problems found."""
    raw = (raw or "").strip()
    if not raw:
        return {}, []
    pairs: list[tuple[str, str]] = []
    problems: list[str] = []
    if raw.startswith("{"):
        try:
            loaded = json.loads(raw)
        except ValueError as exc:
            return {}, [f"DOCKET_SSO_ROLE_MAP is not valid JSON: {exc}"]
        if not isinstance(loaded, dict):
            return {}, ["DOCKET_SSO_ROLE_MAP must be a JSON object of group name to role."]
        pairs = [(str(group), str(role)) for group, role in loaded.items()]
    else:
        for item in raw.split(","):
            group, sep, role = item.strip().rpartition("=")
            if not sep or not group.strip():
                problems.append(f"DOCKET_SSO_ROLE_MAP entry {item.strip()!r} is not group=role.")
                continue
            pairs.append((group.strip(), role.strip()))
    known = {r.value: r for r in Role}
    mapping: dict[str, Role] = {}
    for group, role in pairs:
        if role not in known:
            problems.append(
                f"DOCKET_SSO_ROLE_MAP maps {group!r} to {role!r}, which is not a role ({', '.join(known)})."
            )
            continue
        mapping[group] = known[role]
    return mapping, problems


def role_map() -> dict[str, Role]:
    return parse_role_map(str(getattr(settings, "DOCKET_SSO_ROLE_MAP", "") or ""))[0]


def roles_for(groups: list[str]) -> frozenset[Role]:
    mapping = role_map()
    return frozenset(mapping[g] for g in groups if g in mapping)


# --- The provider's metadata ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str  # empty: the provider offers no RP-initiated logout


REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


def _cache_key(configured: str) -> str:
    return "sso:metadata:" + hashlib.sha256(configured.encode()).hexdigest()[:32]


def provider_metadata() -> ProviderMetadata:
    """The issuer's discovery document, kept in the cache for an hour (keys rotate through ``jwks_uri``,
    which is read at each sign-in). Its ``issuer`` must be the configured one (OpenID Connect Discovery
    4.3), or a document served elsewhere could name another provider's endpoints."""
    configured = issuer().rstrip("/")
    if not configured:
        raise ProviderUnavailable("DOCKET_SSO_ISSUER is not set.")
    cached = cache.get(_cache_key(configured))
    if isinstance(cached, dict):
        return ProviderMetadata(**cached)
    try:
        response = requests.get(
            configured + DISCOVERY_PATH, timeout=float(getattr(settings, "DOCKET_SSO_TIMEOUT_SECONDS", 10.0))
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(
            f"could not read {configured}{DISCOVERY_PATH}: {type(exc).__name__}"
        ) from exc
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != configured:
        raise ProviderUnavailable(f"the discovery document at {configured} names another issuer")
    missing = [name for name in REQUIRED_ENDPOINTS if not isinstance(document.get(name), str)]
    if missing:
        raise ProviderUnavailable(f"the discovery document lacks {', '.join(missing)}")
    metadata = ProviderMetadata(
        issuer=str(document["issuer"]),
        **{name: str(document[name]) for name in REQUIRED_ENDPOINTS},
        end_session_endpoint=str(document.get("end_session_endpoint") or ""),
    )
    cache.set(_cache_key(configured), asdict(metadata), METADATA_CACHE_SECONDS)
    return metadata


# --- mozilla-django-oidc's settings, answered from Docket's -----------------------------------------

_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}

_FIXED: dict[str, Callable[[], Any]] = {
    "OIDC_RP_CLIENT_ID": client_id,
    "OIDC_RP_CLIENT_SECRET": lambda: str(getattr(settings, "DOCKET_SSO_CLIENT_SECRET", "") or ""),
    "OIDC_RP_SCOPES": lambda: str(getattr(settings, "DOCKET_SSO_SCOPES", "") or "openid email profile"),
    "OIDC_RP_SIGN_ALGO": lambda: str(getattr(settings, "DOCKET_SSO_SIGNING_ALGORITHM", "") or "RS256"),
    "OIDC_RP_IDP_SIGN_KEY": lambda: None,  # keys come from the provider's jwks_uri
    "OIDC_TIMEOUT": lambda: float(getattr(settings, "DOCKET_SSO_TIMEOUT_SECONDS", 10.0)),
    "OIDC_USE_PKCE": lambda: True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": lambda: "S256",
    "OIDC_USE_NONCE": lambda: True,
    "OIDC_ALLOW_UNSECURED_JWT": lambda: False,
    "OIDC_STORE_ID_TOKEN": lambda: True,  # the id_token_hint of RP-initiated logout
    "OIDC_STORE_ACCESS_TOKEN": lambda: False,
    "OIDC_CREATE_USER": lambda: True,
    "OIDC_AUTHENTICATION_CALLBACK_URL": lambda: "sso_callback",
    "OIDC_OP_LOGOUT_URL_METHOD": lambda: "directives.sso.views.provider_logout_url",
}


def oidc_setting(attr: str, *default: Any) -> Any:
    """Stands in for mozilla-django-oidc's ``get_settings`` on the classes Docket subclasses."""
    if attr in _FIXED:
        return _FIXED[attr]()
    if attr in _DISCOVERED:
        return getattr(provider_metadata(), _DISCOVERED[attr])
    if default:
        return getattr(settings, attr, default[0])
    return getattr(settings, attr)
