"""Forms for counting conventions: an authority's convention, one obligation's override, its recompute,
and an authority's closure days. The fields are the building blocks of ``directives.conventions``."""

from __future__ import annotations

from typing import Any

from django import forms

from ..conventions import (
    DAY_END_LABELS,
    DEEMED_LABELS,
    PRESET_LABELS,
    DayEnd,
    DeemedReceipt,
    Preset,
    convention_from,
)
from .fields import date_field, time_field
from .obligations import ObligationActionForm

PRESET_HELP = (
    "US FRCP Rule 6(a) and EU 1182/71 follow their texts; a custom convention uses the options below."
)


def convention_fields(*, override: bool = False) -> dict[str, forms.Field]:
    presets = [(p.value, PRESET_LABELS[p]) for p in Preset]
    if override:
        presets = [("", "The authority's convention"), *presets]
    return {
        "preset": forms.ChoiceField(
            choices=presets, required=not override, label="Counting convention", help_text=PRESET_HELP
        ),
        "day_end": forms.ChoiceField(
            choices=[(d.value, DAY_END_LABELS[d]) for d in DayEnd],
            initial=DayEnd.END_OF_DAY,
            label="The last day ends at",
            help_text="In the authority's zone. Under FRCP 6(a): end of day (electronic filing) or close.",
        ),
        "closes": time_field("Close of business", required=False),
        "opens": time_field("Business opens", required=False),
        "deemed_receipt": forms.ChoiceField(
            choices=[(d.value, DEEMED_LABELS[d]) for d in DeemedReceipt], label="Receipt counts"
        ),
        "roll_last_day": forms.BooleanField(
            required=False, label="A last day that is not a business day moves to the next business day"
        ),
        "roll_hours": forms.BooleanField(
            required=False,
            label="Hours ending on a non-business day run to the same time the next business day",
        ),
        "skip_event_hour": forms.BooleanField(required=False, label="The hour of the receipt is not counted"),
        "min_working_days": forms.TypedChoiceField(
            choices=[(0, "no minimum"), (2, "at least two working days")],
            coerce=int,
            initial=0,
            label="Periods of two days or more include",
        ),
    }


class _ConventionMixin:
    cleaned_data: dict[str, Any]

    def convention_data(self) -> dict[str, Any] | None:
        """What ``conventions.convention_from`` reads; ``None`` for "the authority's convention"."""
        data = self.cleaned_data
        if not data.get("preset"):
            return None
        chosen = {k: data.get(k) for k in ("preset", "day_end", "deemed_receipt", "min_working_days")}
        chosen.update({k: bool(data.get(k)) for k in ("roll_last_day", "roll_hours", "skip_event_hour")})
        chosen.update({k: data[k] for k in ("opens", "closes") if data.get(k)})
        if data["preset"] == Preset.FRCP_6A:
            return {k: v for k, v in chosen.items() if k in ("preset", "day_end", "closes")}
        if data["preset"] != Preset.CUSTOM:
            return {"preset": data["preset"]}
        return chosen


def convention_initial(stored: dict[str, Any] | None) -> dict[str, Any]:
    """The form's initial values for a stored convention (``None``: the authority's)."""
    if stored is None:
        return {"preset": ""}
    c = convention_from(stored)
    return {**c.as_dict(), "opens": c.opens, "closes": c.closes}


class AuthorityConventionForm(_ConventionMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, stored: dict[str, Any], version: int, **kwargs: Any) -> None:
        kwargs["initial"] = {
            **convention_initial(stored),
            "version": version,
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        self.fields.update(convention_fields())


class ClosureDayForm(forms.Form):
    day = date_field("Closed on")
    name = forms.CharField(max_length=120, label="Name", help_text="e.g. Commission closure (Christmas)")


class ObligationConventionForm(_ConventionMixin, ObligationActionForm):
    """Count one obligation under its own convention (or its authority's again)."""

    occurred_required = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(convention_fields(override=True))


class ObligationRecomputeForm(ObligationActionForm):
    """Count the due instant again under the obligation's current convention and calendar."""

    occurred_required = None
