from __future__ import annotations

from django.db import models


class SearchText(models.Model):
    """The search index's rows on PostgreSQL: one per directive, document, task and person-written timeline
    entry, kept by database triggers on those tables (migration 0014), never written by Python. ``rowkey``
    is the source row's id * 4 + its ``kind``. A stored ``tsvector`` column and its GIN index, added by the
    same migration, are PostgreSQL's only. The embedded default (SQLite) keeps the same rows in an FTS5
    table instead; this model's table stays empty there. ``directives.selectors.search`` reads both."""

    rowkey = models.BigIntegerField(primary_key=True)
    kind = models.PositiveSmallIntegerField()
    directive_id = models.BigIntegerField()
    title = models.TextField()
    body = models.TextField()

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.kind}:{self.rowkey // 4} {self.title[:60]}"
