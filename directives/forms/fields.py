"""Fields and helpers every form area shares: a local instant typed as a date and a time in a zone,
files chosen several at a time, and choice fields filled at runtime.

Local times are typed in the issuing authority's zone as a date and a time; ``LocalInstantMixin`` turns
them into an aware instant with ``directives.deadlines.localize``. A time in the DST fall-back hour is
not guessed: the form asks which of the two offsets was meant (``ambiguous[name]`` holds the options the
template shows as radio buttons), and a time in the spring-forward gap is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator

from .. import instants
from ..deadlines import AmbiguousLocalTime, NonexistentLocalTime, local_time_candidates, localize
from ..errors import InvalidInput

# A UTC offset some zone has used: -12:00 .. +14:00, in whole hours, half hours or quarter hours.
OFFSET = RegexValidator(
    r"^(?:[+-](?:0\d|1[0-1]):(?:00|15|30|45)|-12:00|\+1[2-3]:(?:00|15|30|45)|\+14:00)$",
    "Choose one of the offsets offered.",
)


def check_window(value: dt.datetime, *, label: str) -> dt.datetime:
    """``instants.check_window`` as a form error: the field's own message, shown next to it."""
    try:
        return instants.check_window(value, field="instant", label=label)
    except InvalidInput as exc:
        raise ValidationError(exc.message, code="out_of_range") from exc


class WindowDateField(forms.DateField):
    """A date inside the window Docket accepts (``instants.check_window``): a year 9999 typed into a date
    input is refused next to the field, before any arithmetic on it can overflow."""

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        if day is not None:
            check_window(
                dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), label=str(self.label or "date")
            )
        return day


class WindowDateTimeField(forms.DateTimeField):
    """A date and time (read in the current zone when it states none) inside the window Docket accepts."""

    def to_python(self, value: Any) -> dt.datetime | None:
        try:
            instant = super().to_python(value)
        except OverflowError as exc:
            raise ValidationError(
                f"{self.label or 'Date and time'} must be {instants.window_text()}.", code="out_of_range"
            ) from exc
        if instant is not None:
            check_window(instant, label=str(self.label or "date and time"))
        return instant


def date_field(label: str, *, required: bool = True) -> WindowDateField:
    return WindowDateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


def time_field(label: str, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=required, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


def offset_field() -> forms.CharField:
    return forms.CharField(required=False, max_length=6, validators=[OFFSET], widget=forms.HiddenInput)


def local_initial(name: str, now: dt.datetime, tz: ZoneInfo) -> dict[str, Any]:
    local = now.astimezone(tz)
    return {f"{name}_date": local.date(), f"{name}_time": local.time().replace(second=0, microsecond=0)}


class LocalInstantMixin:
    """Resolves ``<name>_date`` + ``<name>_time`` (+ ``<name>_offset`` in the fall-back hour) in ``zone``."""

    zone: ZoneInfo
    cleaned_data: dict[str, Any]
    ambiguous: dict[str, list[dict[str, str]]]
    fields: dict[str, forms.Field]

    if TYPE_CHECKING:

        def add_error(self, field: str | None, error: Any) -> None: ...

    def resolve_instant(self, name: str, *, required: bool, label: str = "time") -> dt.datetime | None:
        day = self.cleaned_data.get(f"{name}_date")
        clock = self.cleaned_data.get(f"{name}_time")
        if self._has_error(f"{name}_offset") and not isinstance(
            self.fields[f"{name}_offset"].widget, forms.RadioSelect
        ):
            # The offset is a hidden input until the form offers a choice: say it where it is seen.
            self.add_error(f"{name}_time", "The UTC offset sent with this time is not one any zone has.")
            return None
        if day is None and clock is None:
            if required and not getattr(self, "_errors", {}).get(f"{name}_date"):
                self.add_error(f"{name}_date", f"Enter the {label}.")
            return None
        if day is None or clock is None:
            if day is None and not self._has_error(f"{name}_date"):
                self.add_error(f"{name}_date", "Enter the date as well as the time.")
            if clock is None and not self._has_error(f"{name}_time"):
                self.add_error(f"{name}_time", "Enter the time as well as the date.")
            return None
        # Seconds count when typed (a mail server's stamp); the pickers give whole minutes.
        naive = dt.datetime.combine(day, clock.replace(microsecond=0))
        try:
            instant = localize(naive, self.zone, offset=self.cleaned_data.get(f"{name}_offset") or None)
            return instants.check_window(instant, field=f"{name}_date", label=label)
        except AmbiguousLocalTime as exc:
            self.ambiguous = getattr(self, "ambiguous", {})
            self.ambiguous[name] = [
                {
                    "offset": c.isoformat()[-6:],
                    "label": instants.iso_local(c, self.zone),
                    "utc": instants.iso_utc(c),
                    "which": "first (before the clocks went back)"
                    if i == 0
                    else "second (after the clocks went back)",
                }
                for i, c in enumerate(local_time_candidates(naive, self.zone))
            ]
            options = self.ambiguous[name]
            offset = self.fields[f"{name}_offset"]
            offset.widget = forms.RadioSelect(
                choices=[(o["offset"], f"{o['label']} = {o['utc']}, the {o['which']}") for o in options]
            )
            offset.label = f"Which {naive:%H:%M} on {naive:%Y-%m-%d}?"
            self[f"{name}_offset"].label = offset.label  # type: ignore[index]  # the bound field is cached
            self.add_error(f"{name}_time", f"{exc.message} Choose which one below.")
        except NonexistentLocalTime as exc:
            self.add_error(f"{name}_time", exc.message)
        except InvalidInput as exc:  # outside the window (or an offset no zone has)
            self.add_error(exc.field if exc.field in self.fields else f"{name}_date", exc.message)
        except OverflowError:
            self.add_error(f"{name}_date", f"The {label} must be {instants.window_text()}.")
        return None

    def _has_error(self, name: str) -> bool:
        return bool(getattr(self, "_errors", None) and self._errors.get(name))  # type: ignore[attr-defined]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def allowed_types_text() -> str:
    return ", ".join(
        sorted(
            {
                t.split("/")[-1]
                .upper()
                .replace("VND.OPENXMLFORMATS-OFFICEDOCUMENT.WORDPROCESSINGML.DOCUMENT", "DOCX")
                .replace("VND.MS-OUTLOOK", "MSG")
                .replace("RFC822", "EML")
                for t in settings.DOCKET_ALLOWED_UPLOAD_TYPES
            }
        )
    )


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """``form``'s field ``name``, whose choices are set when the form is built."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field
