from __future__ import annotations

from django.db import models

from ..choices import DeadlineRule, ObligationStatus
from ..conventions import convention_from


class Obligation(models.Model):
    """What a directive requires, with the deadline rule and the due instant computed from it."""

    directive = models.ForeignKey("Directive", on_delete=models.PROTECT, related_name="obligations")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    deadline_rule = models.CharField(max_length=20, choices=DeadlineRule.choices)
    deadline_amount = models.PositiveIntegerField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True, help_text="For a stated deadline")
    due_at = models.DateTimeField(help_text="Computed from the rule in the authority's zone and calendar")
    due_rule_text = models.CharField(max_length=120, help_text="The rule that produced due_at, in words")
    convention = models.JSONField(
        null=True, blank=True, help_text="Overrides the authority's counting convention; null uses it"
    )
    due_convention = models.JSONField(
        default=dict,
        blank=True,
        help_text="The convention due_at was counted under (empty: Docket's default)",
    )
    due_explanation = models.TextField(blank=True, help_text="How due_at was counted, in words")
    status = models.CharField(max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    met_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(deadline_rule__in=["hours", "calendar_days", "business_days"])
                | models.Q(deadline_amount__isnull=False),
                name="obligation_amount_for_counted_rules",
            ),
            models.CheckConstraint(
                condition=~models.Q(deadline_rule="by_instant") | models.Q(deadline_at__isnull=False),
                name="obligation_instant_for_stated_rule",
            ),
            models.CheckConstraint(
                condition=models.Q(status="met", met_at__isnull=False) | ~models.Q(status="met"),
                name="obligation_met_has_met_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_escalation_at"],
                name="obligation_escalation_due",
                condition=models.Q(status="open", next_escalation_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def counted_under(self) -> str:
        """The convention ``due_at`` was counted under, in words."""
        return convention_from(self.due_convention).describe()
