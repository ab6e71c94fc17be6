"""Legal logs an incoming order: the directive as received, the products it names, its documents and its
obligations, in one submit that the intake service writes as one transaction; and the live preview of an
obligation's due instant.

A refused submit comes back with every value kept, the documents included (``staging``), and its
status (400, 403, 409); nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from .. import instants
from ..errors import DomainError
from ..forms.intake import DirectiveIntakeForm, IntakeForms
from ..forms.obligations import ObligationForm
from ..models import Directive
from ..permissions import Action
from ..services import intake as intake_services
from ..services import obligations as obligation_services
from .common import answers_domain_errors, now, require_view
from .staging import StagedUpload, StagedUploads

INTAKE = "directives/intake.html"


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def directive_create_view(request: HttpRequest) -> HttpResponse:
    require_view(request, Action.LOG_DIRECTIVE)
    when = now()
    posted = request.method == "POST"
    forms = IntakeForms.bind(request.POST if posted else None, request.FILES if posted else None, now=when)
    stash = StagedUploads(int(request.user.pk or 0))
    staged: list[StagedUpload] = []
    error: DomainError | None = None
    status = 200
    if posted:
        staged, staged_files = stash.load(request.POST.getlist("staged"))
        status = 400
        if forms.is_valid():
            try:
                directive = intake_services.log_intake(
                    **forms.directive_fields(),
                    products=forms.affected_products(),
                    documents=[*staged_files, *forms.directive.cleaned_data["documents"]],
                    obligations=forms.new_obligations(),
                    actor=request.user,
                    now=when,
                )
            except DomainError as exc:
                error, status = exc, exc.status_code
                if exc.field and exc.field in forms.directive.fields:
                    forms.directive.add_error(exc.field, exc.message)
            else:
                stash.discard(staged)
                messages.success(request, _logged(directive))
                return HttpResponseRedirect(reverse("directive_detail", args=[directive.pk]))
        # Keep the files of this submit so that nothing has to be chosen again.
        staged = stash.stage_new(request.FILES.getlist("documents"), staged, when)
    context = {
        "form": forms.directive,
        "products": forms.products,
        "obligations": forms.obligations,
        "staged": staged,
        "error": error,
        "now": when,
        "rules_with_amount": "hours calendar_days business_days",
    }
    return render(request, INTAKE, context, status=status)


def _logged(directive: Directive) -> str:
    hashes = ", ".join(f"{d.original_name} (SHA-256 {d.sha256})" for d in directive.documents.all())
    receipt = instants.iso_pair(directive.received_at, directive.authority)
    return f"Logged {directive.reference}: receipt at {receipt}" + (
        f". Documents: {hashes}" if hashes else "."
    )


@login_required
@answers_domain_errors
@require_POST
def preview_due_view(request: HttpRequest) -> HttpResponse:
    """The due instant an obligation row would get, shown live in the authority's zone and in UTC."""
    require_view(request, Action.LOG_DIRECTIVE)
    prefix = request.POST.get("row", "")
    if not prefix.startswith("obligations-") or not prefix.removeprefix("obligations-").isdigit():
        return render(request, f"{INTAKE}#due-preview", {"preview_error": "Unknown row."}, status=400)
    intake = DirectiveIntakeForm(request.POST, now=now())
    intake.is_valid()
    authority = intake.cleaned_data.get("authority")
    received_at = intake.cleaned_data.get("received_at")
    row = ObligationForm(request.POST, prefix=prefix, zone=instants.zone_of(authority))
    context: dict[str, Any] = {"row_prefix": prefix}
    if authority is None or received_at is None:
        problems = [str(e) for k in ("received_date", "received_time") for e in intake.errors.get(k, [])]
        context["preview_error"] = (
            f"Receipt time: {' '.join(problems)}"
            if problems
            else "Enter the authority and the receipt time first."
        )
    elif (
        not row.is_valid()
        and set(row.errors) == {"deadline_amount"}
        and not request.POST.get(f"{prefix}-deadline_amount")
    ):
        context["preview_hint"] = "Enter the number of hours or days to see the due instant."
    elif not row.is_valid() and any(k not in ("title", "description") for k in row.errors):
        context["preview_error"] = " ".join(
            str(e) for k, errs in row.errors.items() if k not in ("title", "description") for e in errs
        )
    else:
        deadline = row.deadline()
        try:
            due = obligation_services.preview_due(
                directive_received_at=received_at,
                authority_zone=authority.time_zone,
                country=authority.calendar_country,
                subdivision=authority.calendar_subdivision,
                deadline=deadline,
            )
        except DomainError as exc:
            context["preview_error"] = exc.message
        else:
            context.update({"due": due, "zone": authority.time_zone, "rule_text": deadline.describe()})
    return render(request, f"{INTAKE}#due-preview", context)


urlpatterns = [
    path("directives/new/", directive_create_view, name="directive_create"),
    path("directives/new/preview-due/", preview_due_view, name="directive_preview_due"),
]
