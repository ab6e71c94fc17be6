"""A person's calendar feed URL: made, or replaced (the old URL stops working). Configuration of one's own
account, not a legal record: no timeline entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import CalendarFeedToken
from ..models.calendar import new_feed_token
from ..permissions import Action, require


@transaction.atomic
def renew_feed_token(*, user: Any) -> tuple[CalendarFeedToken, bool]:
    """``user``'s feed token, new; and whether it is their first (False: the previous one is replaced)."""
    require(user, Action.VIEW)
    feed, created = CalendarFeedToken.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed, created
