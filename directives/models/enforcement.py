"""How a product's access is switched (its control), each access change carried out through it, and the
second person's approval a lift needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..choices import AccessState, ConnectorKind, EnforcementStatus, LiftStatus


class Control(models.Model):
    """The switch of one product's access: a connector and its non-secret target (credentials come from
    the environment, never from here)."""

    product = models.OneToOneField("Product", on_delete=models.PROTECT, related_name="control")
    kind = models.CharField(max_length=16, choices=ConnectorKind.choices, default=ConnectorKind.MANUAL)
    target = models.JSONField(
        default=dict, blank=True, help_text="Non-secret configuration: URLs, project, environment, flag name"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The product's owner: told at once, with legal, when the live access drifts",
    )
    active = models.BooleanField(default=True)
    drift_checked_at = models.DateTimeField(null=True, blank=True)
    drift_error = models.CharField(max_length=500, blank=True)
    drift_live = models.JSONField(
        default=dict, blank=True, help_text="The drifted live states last reported (empty: none)"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product__name"]

    def __str__(self) -> str:
        return f"{self.product}: {self.get_kind_display()}"


class Enforcement(models.Model):
    """One request to make a product's live access equal its recorded states, and what became of it."""

    control = models.ForeignKey(Control, on_delete=models.PROTECT, related_name="enforcements")
    directive = models.ForeignKey("Directive", on_delete=models.PROTECT, related_name="enforcements")
    states = models.JSONField(help_text="Audience key -> access state the switch must show")
    key = models.CharField(max_length=80, unique=True, help_text="Idempotency key sent to the switch")
    status = models.CharField(
        max_length=12, choices=EnforcementStatus.choices, default=EnforcementStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    dead_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    applied_detail = models.JSONField(default=dict, blank=True)
    confirmed_states = models.JSONField(default=dict, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="enforcement_due",
                condition=models.Q(status__in=["requested", "applied", "failed"]),
            ),
            models.Index(fields=["control", "requested_at"]),
            models.Index(fields=["directive", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.control.product}: {self.status} ({self.key})"


class LiftRequest(models.Model):
    """A request to lift a restriction on a controlled product: applied only once a second person approves."""

    directive = models.ForeignKey("Directive", on_delete=models.PROTECT, related_name="lift_requests")
    product = models.ForeignKey("Product", on_delete=models.PROTECT, related_name="lift_requests")
    audiences = models.JSONField(help_text="Audience keys")
    state = models.CharField(max_length=16, choices=AccessState.choices)
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=LiftStatus.choices, default=LiftStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("requested_by")), name="lift_second_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product}: lift to {self.state} ({self.status})"
