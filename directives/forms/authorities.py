"""The form of an issuing authority (reference data legal keeps from the intake page): its name, the zone
its orders' receipts are read in and the business calendar its deadlines are counted in."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from django import forms

from ..models import Authority


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    return [("", "Choose the zone")] + [(name, name) for name in sorted(available_timezones()) if "/" in name]


class AuthorityForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. EU AI Office")
    short_name = forms.CharField(max_length=40, required=False, help_text="Shown in lists, e.g. AI Office")
    jurisdiction = forms.CharField(max_length=100, help_text="e.g. European Union")
    time_zone = forms.ChoiceField(
        choices=zone_choices,
        label="Time zone",
        help_text="Its orders' receipts and deadlines are read in it.",
    )
    calendar_country = forms.CharField(
        max_length=3, label="Business calendar: country", help_text="ISO code, e.g. US, BE, DE"
    )
    calendar_subdivision = forms.CharField(
        max_length=10, required=False, label="Business calendar: region", help_text="Optional, e.g. NY"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, authority: Authority | None = None, **kwargs: Any) -> None:
        if authority is not None:
            initial = {name: getattr(authority, name) for name in self.base_fields if name != "version"}
            kwargs["initial"] = {**initial, "version": authority.version, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.authority = authority

    def clean_calendar_country(self) -> str:
        return str(self.cleaned_data["calendar_country"]).strip().upper()

    def clean_calendar_subdivision(self) -> str:
        return str(self.cleaned_data.get("calendar_subdivision") or "").strip().upper()

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
