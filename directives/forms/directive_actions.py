"""Forms of the directive page's actions: record what happened, change the status, record an access
change, publish the company's statement, correct a timeline entry. Times are typed in the directive's
authority's zone (``DirectiveActionForm``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms

from .. import instants, states
from ..choices import RECORDABLE_KINDS, AccessState, DirectiveStatus, EntryKind, Posture
from ..models import Audience, Directive, Product, TimelineEntry
from ..permissions import Action, can
from .fields import LocalInstantMixin, choice_field, date_field, local_initial, offset_field, time_field

FUTURE_TOLERANCE = dt.timedelta(seconds=5)


class DirectiveActionForm(LocalInstantMixin, forms.Form):
    """An action on one directive. When it happened is typed in the directive's authority's zone, as
    ``occurred_date`` and ``occurred_time`` (required unless ``occurred_required`` says otherwise; a form
    without such fields sets it to None) and resolved into ``cleaned_data["occurred_at"]``."""

    occurred_required: ClassVar[bool | None] = True

    def __init__(
        self, *args: Any, directive: Directive, now: dt.datetime, user: Any = None, **kwargs: Any
    ) -> None:
        self.directive = directive
        self.now = now
        self.user = user
        self.zone = instants.zone_of(directive.authority)
        self.ambiguous = {}
        kwargs["initial"] = {**local_initial("occurred", now, self.zone), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.occurred_required is not None:
            occurred = self.resolve_instant(
                "occurred", required=self.occurred_required, label="date and time it happened"
            )
            if occurred is not None and occurred > self.now + FUTURE_TOLERANCE:
                self.add_error("occurred_time", "That time is in the future.")
                occurred = None
            cleaned["occurred_at"] = occurred
        return cleaned


class RecordActionForm(DirectiveActionForm):
    """What happened, of the kinds ``user`` may record: every recordable kind for whoever may record
    actions, a comment for whoever may only comment (the role table's ``COMMENT``)."""

    kind = forms.ChoiceField(choices=[(k.value, k.label) for k in RECORDABLE_KINDS], label="What happened")
    summary = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}), label="Details")
    occurred_date = date_field("Happened on")
    occurred_time = time_field("Time")
    occurred_offset = offset_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.user is not None and not can(self.user, Action.RECORD_ACTION, self.directive):
            choice_field(self, "kind").choices = [(EntryKind.COMMENT.value, EntryKind.COMMENT.label)]


class DirectiveStatusForm(DirectiveActionForm):
    """The moves the state table allows from the directive's status, in the order statuses are listed."""

    to_status = forms.ChoiceField(label="New status")
    note = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_date = date_field("Effective on")
    occurred_time = time_field("Time")
    occurred_offset = offset_field()
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "to_status").choices = [(s.value, s.label) for s in allowed_moves(self.directive)]
        self.initial.setdefault("version", self.directive.version)


def allowed_moves(directive: Directive) -> list[DirectiveStatus]:
    allowed = states.allowed(states.DIRECTIVE_TRANSITIONS, DirectiveStatus(directive.status))
    return [s for s in DirectiveStatus if s in allowed]


class AccessChangeForm(DirectiveActionForm):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label=None)
    audiences = forms.ModelMultipleChoiceField(
        queryset=Audience.objects.order_by("sort_order", "name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="All users changes every audience; All users then reads what the audiences share.",
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


class StatementForm(DirectiveActionForm):
    text = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}), label="Statement")
    url = forms.URLField(required=False, max_length=2000, label="Published at (URL)", assume_scheme="https")
    posture = forms.ChoiceField(choices=Posture.choices, label="Company posture")
    occurred_date = date_field("Published on")
    occurred_time = time_field("Time")
    occurred_offset = offset_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("posture", self.directive.posture)


class CorrectionForm(DirectiveActionForm):
    """A correction of one of ``entries`` (the entries the page offers, by sequence); when it actually
    happened is optional."""

    occurred_required = False

    entry = forms.IntegerField(widget=forms.HiddenInput)
    summary = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 2}), label="Correction")
    occurred_date = date_field("Actually happened on (optional)", required=False)
    occurred_time = time_field("Time (optional)", required=False)
    occurred_offset = offset_field()

    def __init__(self, *args: Any, entries: Sequence[TimelineEntry] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("occurred_date", "occurred_time"):
            self.initial.pop(name, None)
        self.fields["entry"].widget = forms.Select(
            choices=[("", "Choose the entry to correct")]
            + [(e.pk, f"#{e.seq} {e.get_kind_display()}: {e.summary[:70]}") for e in entries]
        )

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
        return cleaned
