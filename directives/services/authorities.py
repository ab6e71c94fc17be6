"""Editing an issuing authority (reference data legal keeps from the intake page). Adding one is
``directives.create_authority``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from ..deadlines import BusinessCalendar, zone
from ..errors import Conflict, InvalidInput
from ..models import Authority
from ..permissions import Action, require
from .common import conditional_update, require_text

EDITABLE_FIELDS = (
    "name",
    "short_name",
    "jurisdiction",
    "time_zone",
    "calendar_country",
    "calendar_subdivision",
)
# What a logged directive's deadlines were counted in: fixed once the authority has a directive.
COUNTING_FIELDS = ("time_zone", "calendar_country", "calendar_subdivision")


def _clean(name: str, value: Any) -> str:
    limits = {"name": 200, "short_name": 40, "jurisdiction": 100, "time_zone": 64}
    if name in limits:
        return require_text(value, field=name, max_length=limits[name], blank=name == "short_name")
    if name == "calendar_country":
        return require_text(value, field=name, max_length=3).upper()
    if name == "calendar_subdivision":
        return require_text(value, field=name, max_length=10, blank=True).upper()
    raise InvalidInput(f"{name!r} cannot be edited; these can: {', '.join(EDITABLE_FIELDS)}.", field=name)


@transaction.atomic
def update_authority(
    *, authority: Authority, changes: Mapping[str, Any], actor: Any, expected_version: int | None = None
) -> Authority:
    """Edit an authority's name, short name, jurisdiction, zone or business calendar (a field not in
    ``changes`` is left as it is). Its zone and calendar are what its directives' receipts were read in
    and their deadlines counted in: once it has a directive they are refused (add another authority).
    Refused with ``StaleVersion`` when the person read an older ``expected_version``."""
    require(actor, Action.LOG_DIRECTIVE)
    wanted = {name: _clean(name, value) for name, value in changes.items()}
    changed = {name: value for name, value in wanted.items() if getattr(authority, name) != value}
    if not changed:
        raise InvalidInput("Nothing to change: every field is as it was.")
    counting = [name for name in COUNTING_FIELDS if name in changed]
    if counting and authority.directives.exists():
        raise Conflict(
            f"{authority} already has directives whose receipts and deadlines were counted in its "
            f"{'zone' if counting == ['time_zone'] else 'zone and calendar'}; add another authority instead.",
            field=counting[0],
        )
    if "time_zone" in changed:
        zone(changed["time_zone"])  # refuses an unknown zone with a clear message
    if {"calendar_country", "calendar_subdivision"} & changed.keys():
        country = changed.get("calendar_country", authority.calendar_country)
        BusinessCalendar(
            country, changed.get("calendar_subdivision", authority.calendar_subdivision)
        ).holidays_for(2026)
    if "name" in changed and Authority.objects.filter(name=changed["name"]).exclude(pk=authority.pk).exists():
        raise Conflict(f"An authority named {changed['name']!r} already exists.", field="name")
    try:
        with transaction.atomic():
            conditional_update(authority, expected_version=expected_version, changes=changed)
    except IntegrityError as exc:
        raise Conflict(f"An authority named {changed.get('name')!r} already exists.", field="name") from exc
    return authority
