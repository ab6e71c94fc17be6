from __future__ import annotations

from django.conf import settings
from django.db import models

from ..choices import EvidenceKind, Priority, TaskStatus


class RemediationTask(models.Model):
    # Index policy: every index costs each escalated task a new entry (the sweep's update moves
    # next_escalation_at, so it is never a HOT update). Foreign keys covered by a composite index keep no
    # index of their own; the audit columns are only indexed where set (an active task has no resolver or
    # verifier); created_by/updated_by have none (users are deactivated, never deleted: see docs).
    directive = models.ForeignKey("Directive", on_delete=models.PROTECT, related_name="tasks", db_index=False)
    obligation = models.ForeignKey(
        "Obligation", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    product = models.ForeignKey(
        "Product", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        db_index=False,  # (assignee, status) below
    )
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P2)
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verified_by__isnull=True)
                | models.Q(resolved_by__isnull=True)
                | ~models.Q(verified_by=models.F("resolved_by")),
                name="task_verifier_is_not_resolver",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["resolved", "verified"]) | ~models.Q(resolution=""),
                name="task_resolved_has_resolution",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=TaskStatus.values), name="task_status_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_escalation_at"],
                name="task_escalation_due",
                condition=models.Q(
                    status__in=["open", "in_progress", "blocked"], next_escalation_at__isnull=False
                ),
            ),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["directive", "status"]),
            models.Index(fields=["status", "due_at"]),
            # The task list API's default order (due_at, id): a page is an index scan, not a sort of all tasks.
            models.Index(fields=["due_at", "id"], name="task_due_order"),
            models.Index(
                fields=["resolved_by"], name="task_resolved_by", condition=models.Q(resolved_by__isnull=False)
            ),
            models.Index(
                fields=["verified_by"], name="task_verified_by", condition=models.Q(verified_by__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.title


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    return f"tasks/{instance.task_id}/{instance.sha256}"


class Evidence(models.Model):
    task = models.ForeignKey(RemediationTask, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices)
    url = models.URLField(max_length=2000, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="link") & ~models.Q(url=""))
                | (models.Q(kind="file") & ~models.Q(sha256="")),
                name="evidence_link_or_hashed_file",
            )
        ]

    def __str__(self) -> str:
        return self.original_name or self.url
