"""A person's own settings: the zone they read work instants in. Configuration of one's own account, not a
legal record: no timeline entry."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from django.db import transaction

from ..errors import InvalidInput
from ..models import Preference


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted (the choices a person has)."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


@transaction.atomic
def set_time_zone(*, user: Any, time_zone: str, now: dt.datetime) -> Preference:
    """``user`` reads work instants in ``time_zone`` (an IANA name) from now on; "" means the company's
    zone. Refused (``InvalidInput`` naming ``time_zone``) for a name this machine does not know."""
    if not isinstance(time_zone, str) or len(time_zone) > 64:
        raise InvalidInput("Time zone must be an IANA name such as Europe/Brussels.", field="time_zone")
    if time_zone and time_zone not in zone_names():
        raise InvalidInput(f"Unknown time zone {time_zone[:64]!r}.", field="time_zone")
    preference, _ = Preference.objects.select_for_update().get_or_create(
        user=user, defaults={"time_zone": time_zone, "updated_at": now}
    )
    if preference.time_zone != time_zone:
        preference.time_zone = time_zone
        preference.updated_at = now
        preference.save(update_fields=["time_zone", "updated_at"])
    user.docket_time_zone = time_zone  # what viewer_zone reads for the rest of this request
    return preference
