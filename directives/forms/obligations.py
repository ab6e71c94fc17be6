"""Forms for obligations: a row of the intake (what the directive requires and by when), and marking an
obligation met or waived on the directive page."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.forms import formset_factory

from .. import instants
from ..choices import DeadlineRule
from ..conventions import PRESET_LABELS, Preset
from ..deadlines import Deadline
from ..models import Obligation
from ..services.intake import NewObligation
from .directive_actions import DirectiveActionForm
from .fields import LocalInstantMixin, date_field, offset_field, time_field

COUNTED_RULES = (DeadlineRule.HOURS, DeadlineRule.CALENDAR_DAYS, DeadlineRule.BUSINESS_DAYS)


class ObligationForm(LocalInstantMixin, forms.Form):
    """One obligation of the intake; a stated deadline is typed in the authority's ``zone``."""

    title = forms.CharField(
        label="Obligation",
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Block all foreign nationals"}),
    )
    deadline_rule = forms.ChoiceField(
        choices=DeadlineRule.choices, initial=DeadlineRule.HOURS, label="Deadline"
    )
    deadline_amount = forms.IntegerField(required=False, min_value=0, label="Number (hours or days)")
    deadline_date = date_field("Due date", required=False)
    deadline_time = time_field("Due time", required=False)
    deadline_offset = offset_field()
    description = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 2}))
    convention = forms.ChoiceField(
        choices=[("", "The authority's convention")]
        + [(p.value, PRESET_LABELS[p]) for p in Preset if p != Preset.CUSTOM],
        required=False,
        label="Counted under",
        help_text="How this deadline is counted; a custom convention is set on the obligation once added.",
    )

    def __init__(self, *args: Any, zone: ZoneInfo | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone or instants.company_zone()
        self.ambiguous = {}
        self.fields["deadline_rule"].widget.attrs["data-deadline-rule"] = "1"

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        rule = cleaned.get("deadline_rule")
        if rule in COUNTED_RULES and cleaned.get("deadline_amount") is None:
            self.add_error("deadline_amount", "Enter how many hours or days.")
        cleaned["deadline_at"] = None
        if rule == DeadlineRule.BY_INSTANT:
            cleaned["deadline_at"] = self.resolve_instant(
                "deadline", required=True, label="due date and time"
            )
        return cleaned

    def deadline(self) -> Deadline:
        rule = DeadlineRule(self.cleaned_data.get("deadline_rule") or DeadlineRule.IMMEDIATELY)
        amount = self.cleaned_data.get("deadline_amount")
        return Deadline(rule, amount if rule in COUNTED_RULES else None, self.cleaned_data.get("deadline_at"))

    def convention_override(self) -> dict[str, Any] | None:
        """The preset chosen for this obligation, or None for its authority's convention."""
        data = getattr(self, "cleaned_data", None) or {}
        return {"preset": data["convention"]} if data.get("convention") else None

    def new_obligation(self) -> NewObligation | None:
        """The obligation this row adds; None for a row left empty."""
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("title"):
            return None
        deadline = self.deadline()
        return NewObligation(
            title=data["title"],
            deadline_rule=deadline.rule,
            deadline_amount=deadline.amount,
            deadline_at=deadline.stated,
            description=data.get("description", ""),
            convention=self.convention_override(),
        )


ObligationFormSet = formset_factory(
    ObligationForm, extra=1, max_num=100, validate_max=True, can_delete=True, can_delete_extra=True
)


class ObligationActionForm(DirectiveActionForm):
    """An action on one obligation of the directive: which one, and the version the person read."""

    obligation = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        cleaned["obligation_obj"] = obligation_of(self, cleaned.get("obligation"))
        return cleaned


class ObligationMetForm(ObligationActionForm):
    occurred_date = date_field("Met on")
    occurred_time = time_field("Time")
    occurred_offset = offset_field()
    note = forms.CharField(required=False, max_length=5000, label="Note")


class ObligationWaiveForm(ObligationActionForm):
    occurred_required = None  # a waiver is recorded when it is made

    reason = forms.CharField(max_length=5000, label="Why it is waived")


def obligation_of(form: DirectiveActionForm, pk: int | None) -> Obligation | None:
    """The obligation ``pk`` of the form's directive; an error on the form when it is not one of them."""
    if pk is None:
        return None
    obligation = (
        Obligation.objects.select_related("directive").filter(pk=pk, directive=form.directive).first()
    )
    if obligation is None:
        form.add_error("obligation", "That obligation is not on this directive.")
    return obligation
