"""Every write of the sign-in feature: the sign-in with the provider's claims (just-in-time account, roles
from groups), the audit record, and API tokens. Keyword-only, ``now`` passed in."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from compliance.middleware import client_ip

from ..choices import Role
from ..errors import NotAllowed
from . import config
from .models import SignInEvent, SignInEventKind, SignInIdentity, SignInMethod
from .refusals import Refusal, SignInRefused

MAX_GROUPS = 1000  # a claim longer than this is cut: nobody maps a thousand groups to four roles
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


@dataclass(frozen=True)
class ClientInfo:
    """Where an attempt came from: the address axes uses (behind the trusted proxies) and the browser."""

    ip_address: str | None
    user_agent: str

    @classmethod
    def of(cls, request: HttpRequest | None) -> ClientInfo:
        if request is None:
            return cls(ip_address=None, user_agent="")
        agent = str(request.META.get("HTTP_USER_AGENT", ""))
        return cls(
            ip_address=client_ip(request),
            user_agent=agent.encode("utf-8", "replace")[:300].decode("utf-8", "ignore"),
        )


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def record_event(
    *,
    kind: SignInEventKind,
    method: SignInMethod,
    client: ClientInfo,
    now: dt.datetime,
    user: Any = None,
    username: str = "",
    subject: str = "",
    actor: Any = None,
    reason: str = "",
    detail: str = "",
) -> SignInEvent:
    return SignInEvent.objects.create(
        kind=kind,
        method=method,
        occurred_at=now,
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        subject=subject[:255],
        actor=actor,
        actor_label=actor.get_username()[:150] if actor is not None else "",
        ip_address=client.ip_address,
        user_agent=client.user_agent,
        reason=reason[:40],
        detail=detail[:500],
    )


def record_refusal(
    *, refusal: SignInRefused, method: SignInMethod, client: ClientInfo, now: dt.datetime
) -> SignInEvent:
    return record_event(
        kind=SignInEventKind.REFUSED,
        method=method,
        client=client,
        now=now,
        username=refusal.username,
        subject=refusal.subject,
        reason=refusal.reason.value,
        detail=refusal.detail,
    )


# --- Sign-in with the provider's claims -------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    subject: str
    email: str
    first_name: str
    last_name: str
    preferred_username: str
    groups: tuple[str, ...]


def profile_of(claims: dict[str, Any]) -> Profile:
    given, family = _text(claims.get("given_name"), 150), _text(claims.get("family_name"), 150)
    if not (given or family):
        given, _, family = _text(claims.get("name"), 300).partition(" ")
    raw_groups = claims.get(config.groups_claim())
    if isinstance(raw_groups, str):
        raw_groups = [raw_groups]
    groups = tuple(
        g[:255] for g in (raw_groups if isinstance(raw_groups, list) else []) if isinstance(g, str)
    )
    email = _text(claims.get("email"), 254)
    return Profile(
        subject=_text(claims.get("sub"), 255),
        email=email if "@" in email else "",
        first_name=given[:150],
        last_name=family.strip()[:150],
        preferred_username=_text(claims.get("preferred_username"), 150),
        groups=groups[:MAX_GROUPS],
    )


@transaction.atomic
def sign_in_with_claims(*, issuer: str, claims: dict[str, Any], client: ClientInfo, now: dt.datetime) -> Any:
    """The person the provider vouched for (``claims``: the verified ID token, with the user information
    for the same subject), found by issuer and subject, or created on their first sign-in. Their roles
    become exactly those their groups map to. Raises ``SignInRefused``; writes nothing then."""
    profile = profile_of(claims)
    if not profile.subject:
        raise SignInRefused(Refusal.NO_SUBJECT)
    identity = (
        SignInIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=profile.subject)
        .first()
    )
    if identity is None:
        identity = _first_sign_in(issuer=issuer, profile=profile, now=now)
    user = identity.user
    if not user.is_active:
        raise SignInRefused(Refusal.ACCOUNT_INACTIVE, subject=profile.subject, username=user.get_username())
    _update_profile(user, profile)
    identity.last_sign_in_at = now
    identity.save(update_fields=["last_sign_in_at"])
    roles = config.roles_for(list(profile.groups))
    _apply_roles(user=user, roles=roles, subject=profile.subject, client=client, now=now)
    record_event(
        kind=SignInEventKind.SIGNED_IN,
        method=SignInMethod.SSO,
        client=client,
        now=now,
        user=user,
        subject=profile.subject,
        detail="roles: " + (", ".join(sorted(r.value for r in roles)) or "none"),
    )
    return user


def _first_sign_in(*, issuer: str, profile: Profile, now: dt.datetime) -> SignInIdentity:
    """A new account, never an existing one found by e-mail: whoever controls an address at the provider
    would otherwise take over the Docket account that has it. An administrator links such accounts."""
    users = get_user_model().objects
    if profile.email and users.filter(email__iexact=profile.email).exists():
        raise SignInRefused(
            Refusal.EMAIL_IN_USE, profile.email, subject=profile.subject, username=profile.preferred_username
        )
    user = users.create_user(  # no password: this account signs in at the provider
        username=_free_username(profile),
        email=profile.email,
        first_name=profile.first_name,
        last_name=profile.last_name,
    )
    try:
        with transaction.atomic():
            return SignInIdentity.objects.create(
                user=user, issuer=issuer, subject=profile.subject, created_at=now
            )
    except IntegrityError:
        # The same person's other tab got there first: use the identity it made.
        user.delete()
        return SignInIdentity.objects.select_related("user").get(issuer=issuer, subject=profile.subject)


def _free_username(profile: Profile) -> str:
    fallback = "sso-" + hashlib.sha256(profile.subject.encode()).hexdigest()[:12]
    base = _USERNAME_UNSAFE.sub("", profile.preferred_username or profile.email)[:140] or fallback
    users = get_user_model().objects
    candidate, n = base, 1
    while users.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}" if n < 50 else f"{fallback}-{n}"
    return candidate


def _update_profile(user: Any, profile: Profile) -> None:
    """The provider is the source of truth for name and e-mail; an empty claim leaves the field alone."""
    changed = []
    for field in ("email", "first_name", "last_name"):
        value = getattr(profile, field)
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)


def _apply_roles(
    *, user: Any, roles: frozenset[Role], subject: str, client: ClientInfo, now: dt.datetime
) -> None:
    names = [r.value for r in Role]
    groups = {g.name: g for g in Group.objects.filter(name__in=names)}
    held = set(user.groups.filter(name__in=names).values_list("name", flat=True))
    wanted = {r.value for r in roles}
    for name in sorted(wanted - held):
        group = groups.get(name) or Group.objects.get_or_create(name=name)[0]
        user.groups.add(group)
        record_event(
            kind=SignInEventKind.ROLE_GRANTED,
            method=SignInMethod.SSO,
            client=client,
            now=now,
            user=user,
            subject=subject,
            detail=name,
        )
    for name in sorted(held - wanted):
        user.groups.remove(groups[name])
        record_event(
            kind=SignInEventKind.ROLE_REMOVED,
            method=SignInMethod.SSO,
            client=client,
            now=now,
            user=user,
            subject=subject,
            detail=name,
        )
    if hasattr(user, "_docket_roles"):
        del user._docket_roles  # permissions.roles_of caches them on the instance


# --- API tokens -------------------------------------------------------------------------------------


@transaction.atomic
def create_api_token(*, user: Any, client: ClientInfo, now: dt.datetime) -> Token:
    """A new API token for ``user``; one they had stops working (DRF keeps one token per user)."""
    if not user.is_active:
        raise NotAllowed("A deactivated account cannot have an API token.")
    if Token.objects.filter(user=user).delete()[0]:
        record_event(
            kind=SignInEventKind.TOKEN_REVOKED,
            method=SignInMethod.API_TOKEN,
            client=client,
            now=now,
            user=user,
            actor=user,
            detail="replaced by a new token",
        )
    token = Token.objects.create(user=user)
    record_event(
        kind=SignInEventKind.TOKEN_CREATED,
        method=SignInMethod.API_TOKEN,
        client=client,
        now=now,
        user=user,
        actor=user,
    )
    return token


@transaction.atomic
def revoke_api_token(*, owner: Any, actor: Any, client: ClientInfo, now: dt.datetime) -> bool:
    """The owner's API token stops working at once. By the owner, or by an administrator."""
    if actor.pk != owner.pk and not actor.is_staff:
        raise NotAllowed("Only the token's owner or an administrator can revoke it.")
    if not Token.objects.filter(user=owner).delete()[0]:
        return False
    record_event(
        kind=SignInEventKind.TOKEN_REVOKED,
        method=SignInMethod.API_TOKEN,
        client=client,
        now=now,
        user=owner,
        actor=actor,
        detail="by the owner" if actor.pk == owner.pk else "by an administrator",
    )
    return True
