"""Forms that extend a logged directive from its page: a remediation task (from the page or from one of
its obligations), an obligation (the intake's row, with its live preview), an affected product with what
the directive requires of it; and the amendment of its own fields. Instants are typed in the directive's authority's zone, the zone the page names
(``DirectiveActionForm``); each form carries the version of the directive the person read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from .. import instants
from ..choices import LinkKind, Priority
from ..models import Directive, DirectiveLink, Obligation, Product
from ..selectors.tasks import assignable_users
from .directive_actions import DirectiveActionForm
from .fields import date_field, offset_field, time_field
from .obligations import ObligationForm
from .tasks import PersonChoiceField


class DirectiveVersionForm(DirectiveActionForm):
    """An addition to the directive: no "when it happened" (it happens now), the directive's version."""

    occurred_required = None

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.directive.version)
        for name in ("occurred_date", "occurred_time"):
            self.initial.pop(name, None)


class NewTaskForm(DirectiveVersionForm):
    """A remediation task on the directive. Left empty, the due instant is the obligation's."""

    title = forms.CharField(max_length=300, label="Task")
    description = forms.CharField(
        required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 3}), label="Description"
    )
    obligation = forms.ModelChoiceField(
        queryset=Obligation.objects.none(), required=False, empty_label="None", label="For obligation"
    )
    product = forms.ModelChoiceField(queryset=Product.objects.none(), required=False, empty_label="None")
    assignee = PersonChoiceField(queryset=assignable_users(), required=False, empty_label="Unassigned")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.P2)
    due_date = date_field("Due on", required=False)
    due_time = time_field("Due at", required=False)
    due_offset = offset_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        obligation = self.fields["obligation"]
        obligation.queryset = Obligation.objects.filter(directive=self.directive).order_by("due_at", "pk")  # type: ignore[attr-defined]
        product = self.fields["product"]
        product.queryset = Product.objects.filter(directive_links__directive=self.directive).order_by("name")  # type: ignore[attr-defined]
        self.fields[
            "due_date"
        ].help_text = "Leave the date and time empty to use the obligation's due instant."

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.cleaned_data["due_at"] = self.resolve_instant("due", required=False, label="due date and time")
        return self.cleaned_data


class NewObligationForm(ObligationForm):
    """An obligation added after intake: the intake's row (same rules, same live preview of the due
    instant), its stated deadline typed in the directive's authority's zone, and the directive's version."""

    PREFIX = "add-obligation"

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, directive: Any, now: Any, **kwargs: Any) -> None:
        self.directive = directive
        self.now = now
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, zone=instants.zone_of(directive.authority), **kwargs)
        self.initial.setdefault("version", directive.version)

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.cleaned_data["deadline"] = self.deadline()
        return self.cleaned_data


class NewAffectedProductForm(DirectiveVersionForm):
    """Another product the directive names, from the products it does not name yet."""

    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label="Choose a product")
    required_action = forms.CharField(
        max_length=300,
        label="Required action",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Block foreign nationals"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        named = Product.objects.filter(directive_links__directive=self.directive)
        self.fields["product"].queryset = Product.objects.exclude(pk__in=named).order_by("name")  # type: ignore[attr-defined]


class AmendDirectiveForm(DirectiveVersionForm):
    """The directive's amendable fields as they are now; the service records the ones that differ. The
    effective instant is typed in the authority's zone; both parts empty mean none."""

    title = forms.CharField(max_length=300)
    reference = forms.CharField(max_length=120, help_text="The authority's own reference.")
    summary = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the directive covers: products, users, regions, activities.",
    )
    effective_date = date_field("Effective from (date)", required=False)
    effective_time = time_field("Effective from (time)", required=False)
    effective_offset = offset_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        directive = self.directive
        for name in ("title", "reference", "summary", "scope"):
            self.initial.setdefault(name, getattr(directive, name))
        if directive.effective_from is not None:
            local = directive.effective_from.astimezone(self.zone)
            self.initial.setdefault("effective_date", local.date())
            self.initial.setdefault("effective_time", local.time().replace(second=0, microsecond=0))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        effective = self.resolve_instant("effective", required=False, label="effective date and time")
        unchanged = self.directive.effective_from
        if (
            effective is not None
            and unchanged is not None
            and effective == unchanged.replace(second=0, microsecond=0)
        ):
            effective = unchanged  # shown to the minute: an untouched value is not an amendment
        names = ("title", "reference", "summary", "scope")
        cleaned["changes"] = {**{n: cleaned.get(n) for n in names}, "effective_from": effective}
        return cleaned


class LinkForm(DirectiveVersionForm):
    """A typed link from this directive to another one, named by its reference (or ``#`` and its number
    when several authorities use the same reference)."""

    kind = forms.ChoiceField(choices=LinkKind.choices, label="This directive", initial=LinkKind.RELATES_TO)
    target = forms.CharField(
        max_length=120,
        label="Directive",
        help_text="Its reference, e.g. EO-2026-VMR.",
        widget=forms.TextInput(attrs={"list": "link-targets", "autocomplete": "off"}),
    )

    def suggestions(self) -> list[Directive]:
        """The latest directives other than this one, offered as the reference is typed."""
        others = Directive.objects.exclude(pk=self.directive.pk).select_related("authority")
        return list(others.order_by("-received_at", "-pk")[:SUGGESTED_LINK_TARGETS])

    def clean_target(self) -> Directive:
        return directive_by_reference(self.cleaned_data["target"])


class RemoveLinkForm(DirectiveVersionForm):
    """Remove one of the directive's links (either direction)."""

    link = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)

    def clean_link(self) -> DirectiveLink:
        pk = self.cleaned_data["link"]
        found = DirectiveLink.objects.filter(
            Q(source=self.directive) | Q(target=self.directive), pk=pk
        ).first()
        if found is None:
            raise forms.ValidationError("That link is no longer there.")
        return found


SUGGESTED_LINK_TARGETS = 100


def directive_by_reference(text: str) -> Directive:
    """The directive ``text`` names: its reference (any case), or ``#`` and its number."""
    text = text.strip()
    if text.startswith("#") and text[1:].isdigit() and len(text) < 20:
        found = Directive.objects.filter(pk=int(text[1:])).first()
        if found is None:
            raise forms.ValidationError(f"No directive has the number {text}.")
        return found
    matches = list(Directive.objects.filter(reference__iexact=text).select_related("authority")[:5])
    if not matches:
        raise forms.ValidationError(f"No directive has the reference “{text}”.")
    if len(matches) > 1:
        which = "; ".join(f"#{d.pk} from {d.authority}" for d in matches)
        raise forms.ValidationError(
            f"Several directives have the reference “{text}” ({which}): type # and the number of the one you mean."
        )
    return matches[0]
