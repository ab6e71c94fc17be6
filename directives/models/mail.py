from __future__ import annotations

from django.db import models


class SenderMapping(models.Model):
    """Which authority an order's e-mail comes from: a sender's full address ("orders@bis.doc.gov") or a
    whole domain ("@bis.doc.gov"). Intake from an e-mail preselects the authority it maps to, and says so."""

    sender = models.CharField(
        max_length=254,
        unique=True,
        help_text='An address ("orders@bis.doc.gov") or a domain with its @ ("@bis.doc.gov"), lower case',
    )
    authority = models.ForeignKey("Authority", on_delete=models.CASCADE, related_name="senders")

    class Meta:
        ordering = ["sender"]

    def __str__(self) -> str:
        return f"{self.sender} → {self.authority}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.sender = self.sender.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def authority_for(cls, address: str) -> models.Model | None:
        """The authority for ``address``: its own mapping first, then its domain's."""
        address = address.strip().lower()
        if "@" not in address:
            return None
        domain = "@" + address.rsplit("@", 1)[1]
        rows = {
            m.sender: m.authority
            for m in cls.objects.filter(sender__in=[address, domain]).select_related("authority")
        }
        return rows.get(address) or rows.get(domain)
