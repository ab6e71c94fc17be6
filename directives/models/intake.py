from __future__ import annotations

from django.conf import settings
from django.db import models


class IntakeState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    LOGGED = "logged", "Logged"
    DISMISSED = "dismissed", "Dismissed"


def intake_message_upload_to(instance: IntakeItem, filename: str) -> str:
    # The stored name is the message's hash, never a name from the message.
    return f"intake/{instance.sha256}"


class IntakeItem(models.Model):
    """A message taken from the watched mailbox (``services.mailbox``), waiting for legal to log it as a
    directive or to dismiss it. One row per message: ``message_id`` is the Message-ID header, or the hash
    of the message's bytes when it has none, so reading a message twice adds nothing."""

    message_id = models.CharField(max_length=255, unique=True)
    mailbox = models.CharField(max_length=255, help_text="The IMAP account and folder it was read from")
    uid = models.CharField(max_length=32, help_text="The message's IMAP UID in that folder when read")
    sender = models.CharField(max_length=254, blank=True)
    sender_name = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    received_from = models.CharField(max_length=200, blank=True, help_text="Which header gave received_at")
    message = models.FileField(upload_to=intake_message_upload_to, max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=IntakeState.choices, default=IntakeState.WAITING)
    directive = models.ForeignKey(
        "Directive", on_delete=models.PROTECT, null=True, blank=True, related_name="intake_items"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    dismissed_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["created_at"], name="intake_waiting", condition=models.Q(state="waiting"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="logged") | models.Q(directive__isnull=False),
                name="intake_logged_has_directive",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="dismissed") | ~models.Q(dismissed_reason=""),
                name="intake_dismissed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"
