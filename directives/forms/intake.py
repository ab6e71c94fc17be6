"""The intake page's forms: the directive as received, the products it names with what it requires of
each, and its obligations (``IntakeForms`` binds the three to one submit)."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.forms import BaseFormSet, formset_factory

from .. import instants
from ..choices import DeliveryChannel, DirectiveKind, LinkKind
from ..errors import DomainError
from ..models import Authority, Directive, Product
from ..services.common import check_upload
from ..services.directives import AffectedProduct
from ..services.intake import NewObligation
from ..services.links import MAX_LINKS_AT_INTAKE, NewLink
from .directive_edits import directive_by_reference
from .fields import (
    LocalInstantMixin,
    MultipleFileField,
    allowed_types_text,
    date_field,
    local_initial,
    offset_field,
    time_field,
)
from .obligations import ObligationFormSet

FUTURE_TOLERANCE = dt.timedelta(seconds=5)


class DirectiveIntakeForm(LocalInstantMixin, forms.Form):
    authority = forms.ModelChoiceField(
        queryset=Authority.objects.order_by("name"),
        empty_label="Choose the authority",
        help_text="The zone the receipt is read in follows the authority: none is chosen for you.",
    )
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
    link_kind = forms.ChoiceField(
        choices=LinkKind.choices, initial=LinkKind.RELATES_TO, required=False, label="This directive"
    )
    link_targets = forms.CharField(
        required=False,
        max_length=2000,
        label="Directives",
        help_text="Their references, separated by commas, e.g. EO-2026-VMR, DOD-SCR-2026-011 "
        f"(at most {MAX_LINKS_AT_INTAKE}). Links can also be added later on the directive's page.",
    )

    def __init__(self, *args: Any, now: dt.datetime, chosen: Authority | None = None, **kwargs: Any) -> None:
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
        # No authority is preselected (a silent default would shift the zone the receipt is read in),
        # unless the person just chose one (``chosen``: added from this page). The receipt defaults to now
        # in that zone, else the company's; app.js follows the zone chosen, until the time is edited.
        if not self.is_bound:
            self.initial.update(local_initial("received", now, instants.zone_of(chosen)))
            if chosen is not None:
                self.initial["authority"] = chosen.pk
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
        self.zone = instants.zone_of(cleaned.get("authority"))
        received_at = self.resolve_instant("received", required=True, label="date and time of receipt")
        if received_at is not None and received_at > self.now + FUTURE_TOLERANCE:
            self.add_error("received_time", "The receipt time is in the future.")
            received_at = None
        cleaned["received_at"] = received_at
        checked: list[UploadedFile] = []
        for upload in cleaned.get("documents") or []:
            try:
                check_upload(upload)
            except DomainError as exc:
                self.add_error("documents", exc.message)
                continue
            checked.append(upload)
        cleaned["documents"] = checked
        cleaned["links"] = self._links(cleaned.get("link_kind") or LinkKind.RELATES_TO)
        return cleaned

    def _links(self, kind: str) -> list[NewLink]:
        """The directives ``link_targets`` names, each resolved by its reference; every problem shown."""
        names = [n.strip() for n in re.split(r"[,\n]", self.cleaned_data.get("link_targets") or "")]
        names = [n for n in names if n]
        if len(names) > MAX_LINKS_AT_INTAKE:
            self.add_error("link_targets", f"At most {MAX_LINKS_AT_INTAKE} directives.")
            return []
        found: list[Directive] = []
        for name in names:
            try:
                directive = directive_by_reference(name)
            except forms.ValidationError as exc:
                self.add_error("link_targets", exc)
                continue
            if directive in found:
                self.add_error("link_targets", f"{directive.reference} is named twice.")
                continue
            found.append(directive)
        return [NewLink(kind, d) for d in found]


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
            if self._should_delete_form(form):  # type: ignore[attr-defined]
                continue
            product = getattr(form, "cleaned_data", {}).get("product")
            if product is None:
                continue
            if product.pk in seen:
                form.add_error("product", f"{product} is listed twice.")
            seen.add(product.pk)


AffectedProductFormSet = formset_factory(
    AffectedProductForm,
    formset=BaseAffectedProductFormSet,
    extra=2,
    max_num=50,
    validate_max=True,
    can_delete=True,
    can_delete_extra=True,
)


@dataclass(frozen=True)
class IntakeForms:
    """The three parts of the intake page, bound to one submit (or unbound, for a new page). Stated
    deadlines are typed in the zone of the authority the submit names."""

    directive: DirectiveIntakeForm
    products: Any  # an AffectedProductFormSet
    obligations: Any  # an ObligationFormSet

    @classmethod
    def bind(cls, data: Any, files: Any, *, now: dt.datetime, chosen: Authority | None = None) -> IntakeForms:
        zone = instants.company_zone()
        if data is not None:
            authority_pk = data.get("authority") or ""
            named = authority_pk.isdigit() and len(authority_pk) < 19  # an id a row can have
            authority = Authority.objects.filter(pk=authority_pk).first() if named else None
            zone = instants.zone_of(authority)
        return cls(
            directive=DirectiveIntakeForm(data, files, now=now, chosen=chosen),
            products=AffectedProductFormSet(data, prefix="products"),
            obligations=ObligationFormSet(data, prefix="obligations", form_kwargs={"zone": zone}),
        )

    def is_valid(self) -> bool:
        """Every part validated (so that each shows its own errors), and all of them valid."""
        return all([self.directive.is_valid(), self.products.is_valid(), self.obligations.is_valid()])

    def directive_fields(self) -> dict[str, Any]:
        """The directive as the intake service takes it (after ``is_valid``)."""
        data = self.directive.cleaned_data
        names = ("authority", "reference", "title", "kind", "received_at", "delivery_channel")
        return {name: data[name] for name in (*names, "summary", "full_text", "links")}

    def affected_products(self) -> list[AffectedProduct]:
        rows = [f.cleaned_data for f in self.products.forms if not f.cleaned_data.get("DELETE")]
        return [AffectedProduct(r["product"], r["required_action"]) for r in rows if r.get("product")]

    def new_obligations(self) -> list[NewObligation]:
        kept = [f for f in self.obligations.forms if not f.cleaned_data.get("DELETE")]
        return [ob for f in kept if (ob := f.new_obligation()) is not None]


class MessageUploadForm(forms.Form):
    """Intake from the order's e-mail: the message fills the form in; legal reviews it and logs it."""

    message = forms.FileField(
        label="The order's e-mail (.eml, or Outlook .msg)",
        help_text="Sender, subject, text, attachments and the receipt instant are read from it.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".eml,.msg,message/rfc822,application/vnd.ms-outlook"}
        ),
    )
