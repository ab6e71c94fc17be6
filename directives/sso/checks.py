"""Deploy checks of the sign-in settings (``make check-deploy`` runs them with --fail-level WARNING).
A half-configured provider fails the deploy instead of failing the first person who signs in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from . import config

REQUIRED = ("DOCKET_SSO_ISSUER", "DOCKET_SSO_CLIENT_ID", "DOCKET_SSO_CLIENT_SECRET")


@register(Tags.security)
def sign_in_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    given = [name for name in REQUIRED if getattr(settings, name, "")]
    if config.enabled() or given:
        messages += _half_configured(given)
    if not config.enabled():
        if not config.local_passwords_allowed():
            messages.append(
                Error(
                    "DOCKET_LOCAL_PASSWORDS=false with single sign-on off: nobody but the break-glass "
                    "accounts could sign in.",
                    hint="Set DOCKET_SSO_ENABLED=true with the provider's settings, or keep local passwords.",
                    id="docket.E021",
                )
            )
        return messages
    mapping, problems = config.parse_role_map(str(getattr(settings, "DOCKET_SSO_ROLE_MAP", "")))
    messages += [Error(problem, id="docket.E022") for problem in problems]
    if not mapping and not problems:
        messages.append(
            Error(
                "DOCKET_SSO_ROLE_MAP is empty: everyone who signs in with the provider would have no role.",
                hint="Map the provider's group names to roles, e.g. docket-legal=legal,docket-auditors=auditor.",
                id="docket.E023",
            )
        )
    scopes = str(getattr(settings, "DOCKET_SSO_SCOPES", "")).split()
    if "openid" not in scopes:
        messages.append(Error("DOCKET_SSO_SCOPES must include openid.", id="docket.E024"))
    if str(getattr(settings, "DOCKET_SSO_SIGNING_ALGORITHM", "RS256")) not in config.SIGNING_ALGORITHMS:
        messages.append(
            Error(
                "DOCKET_SSO_SIGNING_ALGORITHM must be one of "
                + ", ".join(sorted(config.SIGNING_ALGORITHMS))
                + ".",
                id="docket.E025",
            )
        )
    return messages


def _half_configured(given: list[str]) -> list[CheckMessage]:
    missing = [name for name in REQUIRED if name not in given]
    if not missing:
        return []
    state = "DOCKET_SSO_ENABLED=true" if config.enabled() else f"{', '.join(given)} set"
    return [
        Error(
            f"Single sign-on is half-configured ({state}) but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set.",
            hint="Set all of DOCKET_SSO_ISSUER, DOCKET_SSO_CLIENT_ID and DOCKET_SSO_CLIENT_SECRET "
            "(docs/operations.md, Single sign-on), or none of them.",
            id="docket.E020",
        )
    ]


@register(Tags.security, deploy=True)
def sign_in_over_https(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not config.enabled() or not config.issuer():
        return []
    if urlsplit(config.issuer()).scheme != "https":
        return [
            Warning(
                "DOCKET_SSO_ISSUER is not an https:// URL: tokens and keys would travel in clear.",
                id="docket.W020",
            )
        ]
    return []
