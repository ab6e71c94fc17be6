"""Who signed in with which identity, and the sign-in audit record. Fields and constraints only."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInIdentity(models.Model):
    """A person at the identity provider, by the provider's stable subject (``iss`` + ``sub``), bound to
    one Docket account. E-mail addresses change and get reused; the subject does not."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField()
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "sign-in identity"
        verbose_name_plural = "sign-in identities"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="sso_identity_one_account_per_subject"
            ),
            models.CheckConstraint(condition=~models.Q(subject=""), name="sso_identity_subject_not_empty"),
            models.CheckConstraint(condition=~models.Q(issuer=""), name="sso_identity_issuer_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class SignInEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    REFUSED = "refused", "Sign-in refused"
    SIGNED_OUT = "signed_out", "Signed out"
    ROLE_GRANTED = "role_granted", "Role granted"
    ROLE_REMOVED = "role_removed", "Role removed"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"


class SignInMethod(models.TextChoices):
    SSO = "sso", "Identity provider"
    PASSWORD = "password", "Local password"
    API_TOKEN = "api_token", "API token"


class SignInEvent(models.Model):
    """One line of the sign-in audit record: who, when, from which address, what happened. Written only by
    directives.sso.services; read-only everywhere else."""

    kind = models.CharField(max_length=20, choices=SignInEventKind.choices)
    method = models.CharField(max_length=20, choices=SignInMethod.choices)
    occurred_at = models.DateTimeField()
    # The account concerned; kept as a label too, so the line still says who after the account is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    # Who did it, when it was someone else (staff revoking a user's token).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "sign-in event"
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="sso_event_latest_first"),
            models.Index(fields=["user", "-occurred_at"], name="sso_event_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username or 'unknown'}"
