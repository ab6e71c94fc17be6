"""A person's calendar feed URL: made, or replaced (the old URL stops working). Configuration of one's own
account, not a legal record: no timeline entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from ..models import CalendarFeedToken
from ..models.calendar import hash_feed_token, new_feed_token
from ..permissions import Action, require


@transaction.atomic
def renew_feed_token(*, user: Any, now: dt.datetime) -> tuple[str, bool]:
    """A new feed token for ``user``, in clear (to show once: only its hash is kept); and whether it is
    their first (False: the previous one is replaced and stops working)."""
    require(user, Action.VIEW)
    token = new_feed_token()
    existing = CalendarFeedToken.objects.select_for_update().filter(user=user).first()
    if existing is None:
        CalendarFeedToken.objects.create(user=user, token_hash=hash_feed_token(token))
        return token, True
    existing.token_hash = hash_feed_token(token)
    existing.created_at = now
    existing.last_used_at = None
    existing.save(update_fields=["token_hash", "created_at", "last_used_at"])
    return token, False
