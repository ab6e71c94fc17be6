"""Strict serializer fields: the API accepts exactly what its OpenAPI schema says, nothing looser.

DRF's own fields coerce (``5`` becomes ``"5"``, ``"5"`` becomes ``5``, a naive datetime is read in the
server's zone); schema-driven clients and fuzzers rightly treat that as the API lying about itself, and
for legal instants a silently assumed zone is a wrong record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import instants
from ..errors import InvalidInput
from ..services.common import WEB_ADDRESS_TEXT, is_web_address
from ..services.people import zone_names

# The largest value an integer key or counter can hold in every supported database.
MAX_BIGINT = 2**63 - 1


class StrictCharField(serializers.CharField):
    """A string, never a number or a boolean turned into one; at most ``max_length`` characters as sent (the
    schema's ``maxLength``), whitespace around it included, though that is stripped."""

    default_error_messages = {"not_a_string": "Must be a string, not {kind}."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string", kind=_kind(data))
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return str(super().to_internal_value(data))


def _zone_schema(*, blank: bool) -> dict[str, Any]:
    return {"type": "string", "enum": ([""] if blank else []) + list(zone_names())}


@extend_schema_field(_zone_schema(blank=False))
class ZoneNameField(StrictCharField):
    """An IANA zone name this machine knows (e.g. America/New_York); the schema lists them."""

    default_error_messages = {
        "unknown_zone": "Unknown time zone {value!r}: use an IANA name such as Europe/Brussels."
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value and value not in zone_names():
            self.fail("unknown_zone", value=value[:64])
        return value


@extend_schema_field(_zone_schema(blank=True))
class OptionalZoneNameField(ZoneNameField):
    """A zone name, or "" for the company's zone."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


class StrictChoiceField(serializers.ChoiceField):
    default_error_messages = {"not_a_string": "Must be a string, not {kind}."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_a_string", kind=_kind(data))
        return super().to_internal_value(data)


class StrictURLField(serializers.URLField):
    """A web address as the schema's pattern says (``WEB_ADDRESS_PATTERN``), checked on the text as sent, the
    way JSON Schema checks it; "" where the field allows blank."""

    default_error_messages = {
        "not_a_string": "Must be a string, not {kind}.",
        "not_a_web_address": f"Must be {WEB_ADDRESS_TEXT}.",
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string", kind=_kind(data))
        if not (data == "" and self.allow_blank) and not is_web_address(data):
            self.fail("not_a_web_address")
        return str(super().to_internal_value(data))


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false``: not ``0``, ``"yes"`` or ``"true"``."""

    default_error_messages = {"not_a_boolean": "Must be true or false, not {kind}."}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("not_a_boolean", kind=_kind(data) if not isinstance(data, str) else "a string")
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: not ``"5"``, not ``5.0``, not ``true``."""

    default_error_messages = {"not_an_integer": "Must be an integer, not {kind}."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_an_integer", kind=_kind(data))
        return int(super().to_internal_value(data))


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record by its integer id; an id no row can have is simply "does not exist"."""

    default_error_messages = {"not_an_integer": "Must be an integer id, not {kind}."}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_an_integer", kind=_kind(data))
        if data < 1 or data > MAX_BIGINT:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class StrictSlugRelatedField(serializers.SlugRelatedField):
    """A related record by a name (a username): text without a NUL character, which no row can hold and
    PostgreSQL cannot even compare."""

    default_error_messages = {
        "not_a_string": "Must be text, not {kind}.",
        "nul": "Contains a NUL character, which no name can hold.",
    }

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("not_a_string", kind=_kind(data))
        if "\x00" in data:
            self.fail("nul")
        return super().to_internal_value(data)


# The window (``instants.check_window``) as the schema can say it: an RFC 3339 date-time whose year is 1970
# to 2199. The window itself is in UTC, so an offset can still carry an instant written on the first or
# last day across its edge (a 400 naming the field); OpenAPI has no way to compare instants.
WINDOW_PATTERN = r"^(19[7-9][0-9]|2[01][0-9][0-9])-"


@extend_schema_field({"type": "string", "format": "date-time", "pattern": WINDOW_PATTERN})
class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 instant that states its offset, inside the window Docket accepts
    (``instants.check_window``). A naive time is refused, never guessed: an order received at 17:21 means
    nothing until it says 17:21 where."""

    default_error_messages = {
        "not_a_string": "Must be an ISO 8601 date-time string, not {kind}.",
        "invalid": "Not an ISO 8601 date-time: {value!r}. Use e.g. 2026-11-27T17:21:00-05:00.",
        "naive": (
            "{value!r} has no time zone: send an ISO 8601 date-time with a UTC offset, "
            "e.g. 2026-11-27T17:21:00-05:00 or 2026-11-27T22:21:00Z (a naive time is not accepted)."
        ),
        "out_of_range": "{value!r} is outside the range of supported dates.",
    }

    def to_internal_value(self, value: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):  # from Python callers, not JSON
            parsed: dt.datetime | None = value
            text = value.isoformat()
        elif isinstance(value, str):
            text = value.strip()
            try:
                parsed = parse_datetime(text)
            except ValueError:
                parsed = None
        else:
            self.fail("not_a_string", kind=_kind(value))
        if parsed is None:
            self.fail("invalid", value=text[:100])
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.fail("naive", value=text[:100])
        try:
            # The instant in UTC: the offset said where; the database keeps when. (PostgreSQL also
            # refuses offsets beyond +/-15:59 that ISO 8601 and Python allow.)
            instant = parsed.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            self.fail("out_of_range", value=text[:100])
        try:
            return instants.check_window(instant, field=self.field_name or "instant")
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message, code="out_of_range") from exc


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def check_json_text(value: Any, *, path: str = "data", depth: int = 0) -> None:
    """Refuse what the database or the timeline hash cannot hold: NUL characters, lone surrogates,
    absurd nesting."""
    if depth > 20:
        raise serializers.ValidationError(f"{path} is nested too deeply (more than 20 levels).")
    if isinstance(value, str):
        if "\x00" in value:
            raise serializers.ValidationError(f"{path} contains a NUL character, which cannot be stored.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise serializers.ValidationError(f"{path} contains an invalid Unicode surrogate.") from exc
    elif isinstance(value, dict):
        for key, item in value.items():
            check_json_text(key, path=f"{path} key", depth=depth + 1)
            check_json_text(item, path=f"{path}.{key}", depth=depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json_text(item, path=f"{path}[{index}]", depth=depth + 1)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_BIGINT:
        raise serializers.ValidationError(f"{path} holds an integer too large to store.")
