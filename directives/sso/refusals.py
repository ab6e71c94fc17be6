"""Why a sign-in was refused: a code for the audit record and a sentence for the person."""

from __future__ import annotations

from django.db import models


class Refusal(models.TextChoices):
    PROVIDER_ERROR = "provider_error", "The identity provider refused or could not complete the sign-in."
    PROVIDER_UNREACHABLE = "provider_unreachable", "The identity provider could not be reached."
    NO_SIGN_IN_STARTED = "no_sign_in_started", "No sign-in was started from this browser, or it expired."
    STATE_MISMATCH = (
        "state_mismatch",
        "The answer from the identity provider does not belong to this sign-in.",
    )
    NONCE_MISMATCH = "nonce_mismatch", "The identity token was issued for another sign-in."
    TOKEN_INVALID = "token_invalid", "The identity token's signature does not verify."
    WRONG_AUDIENCE = "wrong_audience", "The identity token was issued to another application."
    WRONG_ISSUER = "wrong_issuer", "The identity token comes from another identity provider."
    TOKEN_EXPIRED = "token_expired", "The identity token has expired or is not valid yet."
    USERINFO_MISMATCH = "userinfo_mismatch", "The provider's user information names another person."
    NO_SUBJECT = "no_subject", "The identity token names nobody."
    EMAIL_IN_USE = (
        "email_in_use",
        "An account with this e-mail address already exists: an administrator must link it to your sign-in.",
    )
    ACCOUNT_INACTIVE = "account_inactive", "This Docket account is deactivated."
    PASSWORD = "password", "Wrong username or password, or local passwords are switched off for this account."
    LOCKED_OUT = "locked_out", "Too many failed attempts: locked out for a while."


class SignInRefused(Exception):
    """A sign-in attempt that must not succeed; the callback records it and shows the sentence."""

    def __init__(self, reason: Refusal, detail: str = "", *, subject: str = "", username: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail[:500]
        self.subject = subject[:255]
        self.username = username[:150]
