"""Django's own sign-in signals, for what happens outside the provider's callback: password sign-ins
(the login page, the admin's login), their refusals (django-axes' lockouts included) and every sign-out.
Each receiver calls the service that writes the record; the callback records the provider's sign-ins
and refusals itself, with their subject, roles and reason."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest
from django.utils import timezone

from . import services
from .backends import SSO_BACKEND
from .models import SignInEventKind, SignInMethod
from .refusals import Refusal, SignInRefused


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="docket-sign-in-record")
    user_login_failed.connect(_refused, dispatch_uid="docket-sign-in-refusal-record")
    user_logged_out.connect(_signed_out, dispatch_uid="docket-sign-out-record")


def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if getattr(user, "backend", "") == SSO_BACKEND:
        return  # recorded by services.sign_in_with_claims, with the subject and the roles
    services.record_event(
        kind=SignInEventKind.SIGNED_IN,
        method=SignInMethod.PASSWORD,
        client=services.ClientInfo.of(request),
        now=timezone.now(),
        user=user,
    )


def _refused(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if "nonce" in credentials:
        return  # the provider's callback records its own refusals, with the reason
    locked = bool(getattr(request, "axes_locked_out", False))
    refusal = SignInRefused(
        Refusal.LOCKED_OUT if locked else Refusal.PASSWORD, username=str(credentials.get("username") or "")
    )
    services.record_refusal(
        refusal=refusal,
        method=SignInMethod.PASSWORD,
        client=services.ClientInfo.of(request),
        now=timezone.now(),
    )


def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or request is None:
        return
    via_provider = request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND
    services.record_event(
        kind=SignInEventKind.SIGNED_OUT,
        method=SignInMethod.SSO if via_provider else SignInMethod.PASSWORD,
        client=services.ClientInfo.of(request),
        now=timezone.now(),
        user=user,
    )
