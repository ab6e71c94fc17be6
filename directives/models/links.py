from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models.functions import Greatest, Least

from ..choices import LINK_INVERSE_LABELS, LinkKind

if TYPE_CHECKING:
    from .directives import Directive


class DirectiveLink(models.Model):
    """A typed link read from ``source``'s side: "``source`` amends ``target``". Both pages show it, the
    target's in the inverse wording ("Amended by"). Two directives have at most one link between them, in
    either direction, and a directive never links to itself."""

    source: models.ForeignKey[Directive, Directive] = models.ForeignKey(
        "Directive", on_delete=models.PROTECT, related_name="links_out"
    )
    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    target: models.ForeignKey[Directive, Directive] = models.ForeignKey(
        "Directive", on_delete=models.PROTECT, related_name="links_in"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="link_not_to_itself"),
            models.CheckConstraint(condition=models.Q(kind__in=LinkKind.values), name="link_kind_valid"),
            models.UniqueConstraint(
                Least("source", "target"), Greatest("source", "target"), name="link_one_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"

    def label_for(self, directive_id: int) -> str:
        """The link as the page of ``directive_id`` words it: "Amends" on the source, "Amended by" on the
        target."""
        if directive_id == self.source_id:
            return LinkKind(self.kind).label
        return LINK_INVERSE_LABELS[self.kind]

    def other(self, directive_id: int) -> Directive:
        """The directive at the other end, seen from ``directive_id``."""
        return self.target if directive_id == self.source_id else self.source
