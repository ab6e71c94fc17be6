"""The notification outbox and the webhook subscriptions it delivers to.

A ``Notification`` row is written in the same transaction as the business change that causes it (an
escalation, a reassignment); Celery only carries its id. The unique idempotency key makes a second row
for the same message impossible and is sent with every delivery attempt, so a receiver can drop a
repeat caused by a worker dying between sending and recording the send.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will retry)"
    DEAD = "dead", "Dead (gave up)"
    CANCELLED = "cancelled", "Cancelled"


class WebhookEvent(models.TextChoices):
    REMINDER = "reminder", "Reminder before a deadline"
    ESCALATED = "escalated", "Escalated"
    OBLIGATION_MISSED = "obligation_missed", "Obligation missed"
    TASK_ASSIGNED = "task_assigned", "Task assigned"
    NOTIFICATION_FAILED = "notification_failed", "Notification failed"


class WebhookEndpoint(models.Model):
    """A receiver of JSON POSTs (Slack-compatible ``text``), signed with HMAC-SHA256 of the body."""

    name = models.CharField(max_length=120, unique=True)
    url = models.URLField(max_length=2000)
    secret = models.CharField(max_length=200, help_text="Shared secret for the X-Docket-Signature header")
    active = models.BooleanField(default=True)
    events = models.JSONField(
        default=list,
        blank=True,
        help_text="Event names this endpoint subscribes to (see WebhookEvent); empty: none except the "
        "escalation steps that name it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def subscribes_to(self, event: str) -> bool:
        return isinstance(self.events, list) and event in self.events


class Notification(models.Model):
    # Unique through the constraint in Meta, not unique=True: on PostgreSQL the field option also builds a
    # second (varchar_pattern_ops) index for LIKE lookups, which nothing makes, on every outbox row.
    idempotency_key = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=NotificationChannel.choices)
    event = models.CharField(max_length=24, choices=WebhookEvent.choices)
    recipient = models.CharField(max_length=300, help_text="Who: user:<name>, group:<name> or webhook:<name>")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Optional foreign keys are indexed only where set (the sweep writes thousands of these).
    webhook = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,
    )
    group = models.ForeignKey(
        "auth.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A role group: its active members with an address when the email is sent",
        db_index=False,
    )
    payload = models.JSONField(
        default=dict, help_text="subject, text, to (email addresses), and the event's data"
    )
    directive = models.ForeignKey(
        "Directive", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    task = models.ForeignKey(
        "RemediationTask",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,  # (task, status) below
    )
    obligation = models.ForeignKey(
        "Obligation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        db_index=False,
    )
    escalation = models.ForeignKey(
        "Escalation", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="Not before this instant (backoff after a failure)")
    dispatched_at = models.DateTimeField(
        null=True, blank=True, help_text="When the relay last put its id on the broker"
    )
    locked_until = models.DateTimeField(null=True, blank=True, help_text="A worker is sending it until then")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="notification_idempotency_key_unique"),
            models.CheckConstraint(
                condition=(models.Q(channel="webhook") & models.Q(webhook__isnull=False))
                | models.Q(channel="email"),
                name="notification_webhook_has_endpoint",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_sent_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_outbox_due",
                condition=models.Q(status__in=["pending", "failed"]),
            ),
            models.Index(fields=["task", "status"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(
                fields=["webhook"], name="notification_webhook", condition=models.Q(webhook__isnull=False)
            ),
            models.Index(
                fields=["group"], name="notification_group", condition=models.Q(group__isnull=False)
            ),
            models.Index(
                fields=["obligation"],
                name="notification_obligation",
                condition=models.Q(obligation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.status}"


class NotificationRead(models.Model):
    """That ``user`` has read ``notification`` in their inbox. One row per reader, because a message to a
    group reaches each member's inbox and each marks it read alone. Not a legal record: no timeline entry."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "notification"], name="notification_read_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} read by {self.user_id}"
