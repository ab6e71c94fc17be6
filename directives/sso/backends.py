"""Authentication backends: the identity provider's (mozilla-django-oidc, with the checks it leaves to
its users), and Django's password check behind the local-password switch."""

from __future__ import annotations

from typing import Any

import jwt
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import config, services
from .refusals import Refusal, SignInRefused

SSO_BACKEND = "directives.sso.backends.SignInBackend"
REFUSAL_ATTRIBUTE = "docket_sign_in_refusal"
CLOCK_SKEW_SECONDS = 60


class LocalPasswordBackend(ModelBackend):
    """Django's password check, for everyone while ``DOCKET_LOCAL_PASSWORDS`` is on and for the
    break-glass staff accounts (``DOCKET_BREAK_GLASS_USERS``) when it is off. Every password path asks it:
    the login page, the admin's login and the API's token endpoint. django-axes still counts the failures."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        # Checked after the password so that a refused account takes as long as any other.
        if user is None or not config.password_allowed_for(user):
            return None
        return user


class SignInBackend(OIDCAuthenticationBackend):
    """The authorization code flow's last step: the code exchanged for tokens (PKCE verifier included),
    the ID token verified, and the person found or created by issuer and subject.

    The library checks the signature against the provider's keys and the nonce; it does not check the
    issuer or the audience (it decodes with ``verify_aud`` off), so ``verify_token`` does all of it here,
    and says which check failed."""

    get_settings = staticmethod(config.oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds every backend for each password login and for each request's user: nothing here
        # may read the provider's metadata. The library's attributes are the properties below.
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: config.oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: config.oidc_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: config.oidc_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: config.oidc_setting("OIDC_RP_CLIENT_ID"))
    OIDC_RP_CLIENT_SECRET = property(lambda self: config.oidc_setting("OIDC_RP_CLIENT_SECRET"))
    OIDC_RP_SIGN_ALGO = property(lambda self: config.oidc_setting("OIDC_RP_SIGN_ALGO"))
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> Any:
        # Only the callback passes a nonce; a password login reaches this backend too and is not its business.
        if request is None or "nonce" not in credentials or not config.enabled():
            return None
        refusal: SignInRefused
        try:
            return super().authenticate(request, **credentials)
        except SignInRefused as exc:
            refusal = exc
        except config.ProviderUnavailable as exc:
            refusal = SignInRefused(Refusal.PROVIDER_UNREACHABLE, str(exc))
        except requests.RequestException as exc:
            # str(exc) may hold the token endpoint's answer; the type and status are enough for the record.
            status = getattr(getattr(exc, "response", None), "status_code", "")
            refusal = SignInRefused(Refusal.PROVIDER_ERROR, f"{type(exc).__name__} {status}".strip())
        except (SuspiciousOperation, ValueError, KeyError, TypeError) as exc:
            refusal = SignInRefused(Refusal.TOKEN_INVALID, type(exc).__name__)
        setattr(request, REFUSAL_ATTRIBUTE, refusal)
        return None

    def get_user(self, user_id: Any) -> Any:
        # Django's rule (inactive accounts lose their sessions), which the library's get_user skips.
        return ModelBackend.get_user(self, user_id)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """OpenID Connect Core 3.1.3.7: signature by one of the provider's keys with the configured
        algorithm, issuer, audience (and authorized party), expiry and issue time, then the nonce."""
        algorithm = str(self.OIDC_RP_SIGN_ALGO)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise SignInRefused(Refusal.TOKEN_INVALID, "not a JWT") from exc
        if header.get("alg") != algorithm or algorithm not in config.SIGNING_ALGORITHMS:
            raise SignInRefused(
                Refusal.TOKEN_INVALID, f"signed with {header.get('alg')!r}, expected {algorithm}"
            )
        try:
            key = self.retrieve_matching_jwk(token)
        except (SuspiciousOperation, KeyError, jwt.PyJWTError) as exc:
            raise SignInRefused(Refusal.TOKEN_INVALID, "no matching key at the provider") from exc
        payload = _decode(token, key, algorithm=algorithm, audience=str(self.OIDC_RP_CLIENT_ID))
        if "nonce" in kwargs and (not kwargs["nonce"] or payload.get("nonce") != kwargs["nonce"]):
            raise SignInRefused(Refusal.NONCE_MISMATCH, subject=str(payload.get("sub", "")))
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        subject = str(payload.get("sub", ""))
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: the user information must be about the ID token's subject.
            raise SignInRefused(Refusal.USERINFO_MISMATCH, subject=subject)
        claims = {**userinfo, **payload}  # the signed ID token wins where both say something
        return services.sign_in_with_claims(
            issuer=str(payload["iss"]),
            claims=claims,
            client=services.ClientInfo.of(self.request),
            now=timezone.now(),
        )


def _decode(token: str, key: Any, *, algorithm: str, audience: str) -> dict[str, Any]:
    issuer = config.provider_metadata().issuer
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience,
            issuer=issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.InvalidAudienceError as exc:
        raise SignInRefused(Refusal.WRONG_AUDIENCE, _unverified(token, "aud")) from exc
    except jwt.InvalidIssuerError as exc:
        raise SignInRefused(Refusal.WRONG_ISSUER, _unverified(token, "iss")) from exc
    except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError) as exc:
        raise SignInRefused(Refusal.TOKEN_EXPIRED, type(exc).__name__) from exc
    except jwt.PyJWTError as exc:
        raise SignInRefused(Refusal.TOKEN_INVALID, type(exc).__name__) from exc
    azp = payload.get("azp")
    several = isinstance(payload.get("aud"), list) and len(payload["aud"]) > 1
    if (several or azp is not None) and azp != audience:
        raise SignInRefused(Refusal.WRONG_AUDIENCE, f"authorized party {azp!r}")
    return payload


def _unverified(token: str, claim: str) -> str:
    """A claim of a token whose signature verified but whose claims were refused, for the record."""
    try:
        value = jwt.decode(token, options={"verify_signature": False}).get(claim)
    except jwt.PyJWTError:
        return ""
    return str(value)[:200]


def is_sign_in_callback(request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
    """django-axes' allow-list (AXES_WHITELIST_CALLABLE): the lockout counts guesses of local passwords.
    The provider's callback carries no password (the provider has its own lockout) and its failures are
    in the sign-in record; counting them would lock an office's shared address out of password sign-in."""
    match = getattr(request, "resolver_match", None)
    return bool(match is not None and match.url_name == "sso_callback")
