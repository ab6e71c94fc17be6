"""Escalation policies (the ladder), the escalations the sweep recorded, and the sweep's own record.

A policy is chosen by what is escalated (a remediation task by its priority, or an obligation); its
steps are ordered by their offset from the due instant (negative: a reminder before it). The sweep
writes one ``Escalation`` row per subject, step and repetition; partial unique constraints make a second
row for the same (subject, level, repeat) impossible, whatever the number of sweeps running at once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from ..choices import Priority
from ..instants import company_zone, legal
from .notifications import WebhookEndpoint


class EscalationSubject(models.TextChoices):
    TASK = "task", "Remediation task"
    OBLIGATION = "obligation", "Obligation"


class EscalationPolicy(models.Model):
    """The ladder for one kind of subject: tasks of one priority, or obligations."""

    name = models.CharField(max_length=120, unique=True)
    applies_to = models.CharField(max_length=12, choices=EscalationSubject.choices)
    priority = models.CharField(
        max_length=2,
        choices=Priority.choices,
        blank=True,
        help_text="For task policies: the priority this ladder applies to. Blank for obligations.",
    )
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text="An inactive policy escalates nothing.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["applies_to", "priority", "name"]
        verbose_name_plural = "escalation policies"
        constraints = [
            models.UniqueConstraint(
                fields=["applies_to", "priority"], name="one_escalation_policy_per_subject"
            ),
            models.CheckConstraint(
                condition=(models.Q(applies_to="task") & ~models.Q(priority=""))
                | (models.Q(applies_to="obligation") & models.Q(priority="")),
                name="escalation_policy_priority_for_tasks_only",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    """One rung of a ladder: when (an offset from due), whom to notify, and how often to repeat."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    level = models.PositiveSmallIntegerField(
        help_text="0 is the reminder before the due instant (negative offset); 1, 2, 3... are the escalation "
        "levels at or after it, in the order of their offsets."
    )
    name = models.CharField(max_length=120, help_text="Shown on the timeline, e.g. 'Level 2: legal'.")
    offset = models.DurationField(
        help_text="From the due instant: negative is a reminder before it (e.g. -1:00:00), 0 is at due."
    )
    notify_assignee = models.BooleanField(default=False)
    notify_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    notify_groups = models.ManyToManyField(
        "auth.Group", blank=True, related_name="+", help_text="Role groups (legal, engineering, executive...)"
    )
    notify_webhooks = models.ManyToManyField(WebhookEndpoint, blank=True, related_name="steps")
    repeat_every = models.DurationField(
        null=True,
        blank=True,
        help_text="Repeat this step's notification at this interval until the next step (or resolution).",
    )

    class Meta:
        ordering = ["policy_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "level"], name="one_escalation_step_per_level"),
            models.UniqueConstraint(fields=["policy", "offset"], name="one_escalation_step_per_offset"),
            models.CheckConstraint(
                condition=(models.Q(level=0) & models.Q(offset__lt=dt.timedelta(0)))
                | (models.Q(level__gte=1) & models.Q(offset__gte=dt.timedelta(0))),
                name="escalation_step_reminder_before_levels_after",
            ),
            models.CheckConstraint(
                condition=models.Q(repeat_every__isnull=True)
                | models.Q(repeat_every__gte=dt.timedelta(minutes=1)),
                name="escalation_step_repeat_at_least_a_minute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.name} / {self.level}: {self.name}"

    @property
    def is_reminder(self) -> bool:
        return self.level == 0


class Escalation(models.Model):
    """A step that fired (or was recorded during catch-up) for one task or obligation.

    ``repeat`` is 0 for the step itself and 1, 2, ... for its repetitions. A change that restarts the
    ladder (a new due instant, a reopened task) sets ``superseded_at`` on the old rows: the uniqueness
    applies to the current ladder only, so the new one can fire again."""

    task = models.ForeignKey(
        "RemediationTask", on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    obligation = models.ForeignKey(
        "Obligation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
        db_index=False,  # partial index below: most escalations are about tasks
    )
    directive = models.ForeignKey(
        "Directive", on_delete=models.PROTECT, related_name="escalations", db_index=False
    )  # (directive, scheduled_at) below
    step = models.ForeignKey(
        EscalationStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField()
    repeat = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=120, help_text="The step's name when it fired")
    reminder = models.BooleanField(default=False)
    due_at = models.DateTimeField(help_text="The subject's due instant the step was computed from")
    scheduled_at = models.DateTimeField(help_text="When the step was due to fire")
    fired_at = models.DateTimeField(help_text="When the sweep recorded it")
    notified = models.BooleanField(
        default=True, help_text="False for a level recorded during catch-up whose notification was skipped"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(task__isnull=False) & models.Q(obligation__isnull=True))
                | (models.Q(task__isnull=True) & models.Q(obligation__isnull=False)),
                name="escalation_has_one_subject",
            ),
            models.UniqueConstraint(
                fields=["task", "level", "repeat"],
                condition=models.Q(task__isnull=False, superseded_at__isnull=True),
                name="one_escalation_per_task_level",
            ),
            models.UniqueConstraint(
                fields=["obligation", "level", "repeat"],
                condition=models.Q(obligation__isnull=False, superseded_at__isnull=True),
                name="one_escalation_per_obligation_level",
            ),
        ]
        indexes = [
            models.Index(fields=["directive", "scheduled_at"]),
            models.Index(fields=["fired_at"]),
            models.Index(
                fields=["obligation"],
                name="escalation_obligation",
                condition=models.Q(obligation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        subject = f"task {self.task_id}" if self.task_id else f"obligation {self.obligation_id}"
        return f"{subject}: {self.name}" + (f" (repeat {self.repeat})" if self.repeat else "")


class SweepRun(models.Model):
    """One completed sweep: when, how long, and what it did. /healthz reports the age of the last one."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(db_index=True)
    duration_ms = models.PositiveIntegerField()
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"sweep at {legal(self.finished_at, company_zone(), seconds=True)} ({self.duration_ms} ms)"
