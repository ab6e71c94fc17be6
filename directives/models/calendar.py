from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


def hash_feed_token(token: str) -> str:
    """What is stored of a feed token: its SHA-256. The token is 256 random bits, so a plain hash cannot be
    reversed or guessed; a copy of the database (a backup, a replica) does not hold working feed URLs."""
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedToken(models.Model):
    """The secret in a user's iCalendar feed URL. Calendar apps cannot log in, so whoever holds the URL
    sees the deadlines: it is long and random, shown once when made, kept only as a hash, and the user can
    replace it (the old URL stops working)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
