"""What a person chose for themselves in Docket (not a legal record): the zone they read work instants in."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Preference(models.Model):
    """One person's settings. No row, or an empty ``time_zone``, means the company's zone
    (``DOCKET_COMPANY_TIME_ZONE``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="docket_preference"
    )
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="IANA name, e.g. Europe/Brussels; empty: the company's zone"
    )
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Preferences of {self.user}"
