"""A person's own settings."""

from __future__ import annotations

from typing import Any

from django import forms

from .. import instants
from ..services.people import zone_names


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone for due dates and reminders",
        required=False,
        help_text="Legal instants (receipts, deadlines) stay in the issuing authority's zone with UTC beside "
        "them.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        company = instants.company_zone().key
        field: Any = self.fields["time_zone"]
        field.choices = [("", f"The company's zone ({company})")] + [
            (name, name.replace("_", " ")) for name in zone_names()
        ]
