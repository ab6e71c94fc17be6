"""Forms for legal's pages: parse and validate what a person typed, then the view calls one service.

Local times are typed in the issuing authority's zone as a date and a time; ``LocalInstantMixin`` turns
them into an aware instant with ``directives.deadlines.localize``. A time in the DST fall-back hour is
not guessed: the form asks which of the two offsets was meant (``ambiguous[name]`` holds the options the
template shows as radio buttons), and a time in the spring-forward gap is refused.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.forms import BaseFormSet, formset_factory

from . import instants
from .choices import (
    RECORDABLE_KINDS,
    AccessState,
    DeadlineRule,
    DeliveryChannel,
    DirectiveKind,
    DirectiveStatus,
    Posture,
)
from .deadlines import AmbiguousLocalTime, Deadline, NonexistentLocalTime, local_time_candidates, localize
from .errors import DomainError
from .models import Audience, Authority, Directive, Obligation, Product, TimelineEntry
from .services.common import check_upload

OFFSET = RegexValidator(r"^[+-]\d{2}:\d{2}$", "Choose one of the offsets offered.")


def date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


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
        naive = dt.datetime.combine(day, clock.replace(second=0, microsecond=0))
        try:
            return localize(naive, self.zone, offset=self.cleaned_data.get(f"{name}_offset") or None)
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
                for t in settings.DOCKET_ALLOWED_UPLOAD_TYPES
            }
        )
    )


# --- Intake -------------------------------------------------------------------------------------


class DirectiveIntakeForm(LocalInstantMixin, forms.Form):
    authority = forms.ModelChoiceField(queryset=Authority.objects.order_by("name"), empty_label=None)
    reference = forms.CharField(
        max_length=120, help_text="The authority's own reference, e.g. BIS-ORD-AI-2026-0417."
    )
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=DirectiveKind.choices, initial=DirectiveKind.MANDATORY_ORDER)
    received_date = date_field("Received on")
    received_time = time_field("Time received")
    received_offset = offset_field()
    delivery_channel = forms.ChoiceField(
        choices=DeliveryChannel.choices, initial=DeliveryChannel.EMAIL, label="Delivered by"
    )
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)
    full_text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=1_000_000, label="Full text"
    )
    documents = MultipleFileField(required=False, label="Documents")

    def __init__(self, *args: Any, now: dt.datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.ambiguous = {}
        self.zone = instants.company_zone()
        authorities = list(self.fields["authority"].queryset)  # type: ignore[attr-defined]
        zones = {
            str(a.pk): {"zone": a.time_zone, "label": f"{a.time_zone} ({instants.zone_abbr(a, now)})"}
            for a in authorities
        }
        self.fields["authority"].widget.attrs["data-authority-zones"] = json.dumps(zones)
        self.fields["authority"].label_from_instance = lambda a: f"{a.name} ({a.time_zone})"  # type: ignore[attr-defined]
        # The authority most recently logged is the likeliest; the receipt defaults to now in its zone
        # (app.js follows the zone when another authority is chosen, until the time is edited).
        latest = Directive.objects.order_by("-created_at").values_list("authority_id", flat=True).first()
        first = next((a for a in authorities if a.pk == latest), authorities[0] if authorities else None)
        if not self.is_bound:
            self.initial.update(local_initial("received", now, instants.zone_of(first)))
            if first is not None:
                self.initial["authority"] = first.pk
        for name in ("received_date", "received_time"):
            self.fields[name].widget.attrs["data-follow-zone"] = name.removeprefix("received_")
        limit_mb = settings.DOCKET_MAX_UPLOAD_BYTES // 1_048_576
        self.fields[
            "documents"
        ].help_text = f"Several files allowed; up to {limit_mb} MB each ({allowed_types_text()})."
        self.fields["documents"].widget.attrs.update({"data-file-list": "chosen-files"})

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        authority = cleaned.get("authority")
        self.zone = instants.zone_of(authority)
        received_at = self.resolve_instant("received", required=True, label="date and time of receipt")
        if received_at is not None and received_at > self.now + dt.timedelta(seconds=5):
            self.add_error("received_time", "The receipt time is in the future.")
            received_at = None
        cleaned["received_at"] = received_at
        files = cleaned.get("documents") or []
        checked: list[UploadedFile] = []
        for upload in files:
            try:
                check_upload(upload)
            except DomainError as exc:
                self.add_error("documents", exc.message)
                continue
            checked.append(upload)
        cleaned["documents"] = checked
        return cleaned


class AffectedProductForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.order_by("name"), empty_label="Choose a product"
    )
    required_action = forms.CharField(
        max_length=300,
        label="Required action",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Block foreign nationals"}),
    )


class BaseAffectedProductFormSet(BaseFormSet):
    def clean(self) -> None:
        seen: set[int] = set()
        for form in self.forms:
            product = getattr(form, "cleaned_data", {}).get("product")
            if product is None:
                continue
            if product.pk in seen:
                form.add_error("product", f"{product} is listed twice.")
            seen.add(product.pk)


AffectedProductFormSet = formset_factory(
    AffectedProductForm, formset=BaseAffectedProductFormSet, extra=2, max_num=50, validate_max=True
)


class ObligationForm(LocalInstantMixin, forms.Form):
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

    def __init__(self, *args: Any, zone: ZoneInfo | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone or instants.company_zone()
        self.ambiguous = {}
        self.fields["deadline_rule"].widget.attrs["data-deadline-rule"] = "1"

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        rule = cleaned.get("deadline_rule")
        counted = (DeadlineRule.HOURS, DeadlineRule.CALENDAR_DAYS, DeadlineRule.BUSINESS_DAYS)
        if rule in counted and cleaned.get("deadline_amount") is None:
            self.add_error("deadline_amount", "Enter how many hours or days.")
        cleaned["deadline_at"] = None
        if rule == DeadlineRule.BY_INSTANT:
            cleaned["deadline_at"] = self.resolve_instant(
                "deadline", required=True, label="due date and time"
            )
        return cleaned

    def deadline(self) -> Deadline:
        rule = DeadlineRule(self.cleaned_data["deadline_rule"])
        amount = self.cleaned_data.get("deadline_amount")
        return Deadline(
            rule,
            amount if rule not in (DeadlineRule.IMMEDIATELY, DeadlineRule.BY_INSTANT) else None,
            self.cleaned_data.get("deadline_at"),
        )


ObligationFormSet = formset_factory(ObligationForm, extra=1, max_num=100, validate_max=True)


# --- Actions on the directive page ---------------------------------------------------------------


class _DirectiveActionForm(LocalInstantMixin, forms.Form):
    """An action on one directive; times in its authority's zone."""

    def __init__(self, *args: Any, directive: Directive, now: dt.datetime, **kwargs: Any) -> None:
        self.directive = directive
        self.now = now
        self.zone = instants.zone_of(directive.authority)
        self.ambiguous = {}
        kwargs["initial"] = {**local_initial("occurred", now, self.zone), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)

    def clean_occurred(self, *, required: bool) -> None:
        occurred = self.resolve_instant("occurred", required=required, label="date and time it happened")
        if occurred is not None and occurred > self.now + dt.timedelta(seconds=5):
            self.add_error("occurred_time", "That time is in the future.")
            occurred = None
        self.cleaned_data["occurred_at"] = occurred


class RecordActionForm(_DirectiveActionForm):
    kind = forms.ChoiceField(choices=[(k.value, k.label) for k in RECORDABLE_KINDS], label="What happened")
    summary = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}), label="Details")
    occurred_date = date_field("Happened on")
    occurred_time = time_field("Time")
    occurred_offset = offset_field()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.clean_occurred(required=True)
        return cleaned


class StatusForm(_DirectiveActionForm):
    to_status = forms.ChoiceField(label="New status")
    note = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_date = date_field("Effective on")
    occurred_time = time_field("Time")
    occurred_offset = offset_field()
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, allowed: list[DirectiveStatus], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["to_status"]).choices = [(s.value, s.label) for s in allowed]
        self.initial.setdefault("version", self.directive.version)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.clean_occurred(required=True)
        return cleaned


class AccessChangeForm(_DirectiveActionForm):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label=None)
    audiences = forms.ModelMultipleChoiceField(
        queryset=Audience.objects.order_by("sort_order", "name"), widget=forms.CheckboxSelectMultiple
    )
    state = forms.ChoiceField(choices=AccessState.choices, initial=AccessState.SUSPENDED, label="New access")
    occurred_date = date_field("Changed on")
    occurred_time = time_field("Time")
    occurred_offset = offset_field()
    reason = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(  # type: ignore[attr-defined]
            directive_links__directive=self.directive
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.clean_occurred(required=True)
        return cleaned


class StatementForm(_DirectiveActionForm):
    text = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}), label="Statement")
    url = forms.URLField(required=False, max_length=2000, label="Published at (URL)", assume_scheme="https")
    posture = forms.ChoiceField(choices=Posture.choices, label="Company posture")
    occurred_date = date_field("Published on")
    occurred_time = time_field("Time")
    occurred_offset = offset_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("posture", self.directive.posture)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.clean_occurred(required=True)
        return cleaned


class CorrectionForm(_DirectiveActionForm):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    summary = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 2}), label="Correction")
    occurred_date = date_field("Actually happened on (optional)", required=False)
    occurred_time = time_field("Time (optional)", required=False)
    occurred_offset = offset_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("occurred_date", "occurred_time"):
            self.initial.pop(name, None)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        entry_pk = cleaned.get("entry")
        cleaned["entry_obj"] = None
        if entry_pk is not None:
            entry = TimelineEntry.objects.filter(pk=entry_pk, directive=self.directive).first()
            if entry is None:
                self.add_error("entry", "That entry is not on this directive's timeline.")
            cleaned["entry_obj"] = entry
        self.clean_occurred(required=False)
        return cleaned


class ObligationMetForm(_DirectiveActionForm):
    obligation = forms.IntegerField(widget=forms.HiddenInput)
    occurred_date = date_field("Met on")
    occurred_time = time_field("Time")
    occurred_offset = offset_field()
    note = forms.CharField(required=False, max_length=5000, label="Note")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        cleaned["obligation_obj"] = _obligation_of(self, cleaned.get("obligation"))
        self.clean_occurred(required=True)
        return cleaned


class ObligationWaiveForm(_DirectiveActionForm):
    obligation = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=5000, label="Why it is waived")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        cleaned["obligation_obj"] = _obligation_of(self, cleaned.get("obligation"))
        return cleaned


def _obligation_of(form: _DirectiveActionForm, pk: int | None) -> Obligation | None:
    if pk is None:
        return None
    obligation = (
        Obligation.objects.select_related("directive").filter(pk=pk, directive=form.directive).first()
    )
    if obligation is None:
        form.add_error("obligation", "That obligation is not on this directive.")
    return obligation
