from __future__ import annotations

from django.conf import settings
from django.db import models

from ..choices import EntryKind


class TimelineEntry(models.Model):
    """One entry of a directive's legal record. Append-only: written only by
    ``directives.services.timeline.append_entry``; each entry's hash covers its content and the previous
    entry's hash, so rewriting one breaks every later link. Corrections are new entries that supersede."""

    # Index policy: the unique (directive, seq) and (task, seq) cover those foreign keys; the
    # optional ones are indexed only where set, so a system entry about a task (reminder, escalation)
    # adds five index entries, not eleven.
    directive = models.ForeignKey(
        "Directive", on_delete=models.PROTECT, related_name="timeline", db_index=False
    )
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32, choices=EntryKind.choices)
    occurred_at = models.DateTimeField(help_text="When it happened (may be earlier than recorded)")
    recorded_at = models.DateTimeField(help_text="When the server recorded it")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(max_length=150, help_text="Username at the time, or 'system'")
    summary = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    obligation = models.ForeignKey(
        "Obligation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="timeline",
        db_index=False,
    )
    task = models.ForeignKey(
        "RemediationTask",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="timeline",
        db_index=False,
    )
    product = models.ForeignKey(
        "Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        db_index=False,
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["directive_id", "seq"]
        verbose_name_plural = "timeline entries"
        constraints = [
            models.UniqueConstraint(fields=["directive", "seq"], name="timeline_chain_cannot_fork"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="timeline_seq_positive"),
        ]
        indexes = [
            models.Index(fields=["directive", "occurred_at"]),
            models.Index(fields=["kind", "occurred_at"]),
            models.Index(fields=["task", "seq"]),
            models.Index(fields=["actor"], name="timeline_actor", condition=models.Q(actor__isnull=False)),
            models.Index(
                fields=["obligation"],
                name="timeline_obligation",
                condition=models.Q(obligation__isnull=False),
            ),
            models.Index(
                fields=["product"], name="timeline_product", condition=models.Q(product__isnull=False)
            ),
            models.Index(
                fields=["supersedes"],
                name="timeline_supersedes",
                condition=models.Q(supersedes__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}: {self.summary[:60]}"


class TimelineHead(models.Model):
    """The head of each directive's chain (its last ``seq`` and that entry's hash), kept apart from the
    entries so that removing the last entries, or a whole chain, leaves a disagreement ``verify_timeline``
    reports. Written only by the database, in the transaction of each insert into the timeline (an
    ``AFTER INSERT`` trigger, migration 0013); no Python code writes it."""

    directive = models.OneToOneField(
        "Directive", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "timeline head"

    def __str__(self) -> str:
        return f"directive {self.directive_id} head #{self.seq}"
