"""Legal logs an incoming order: the directive as received, the products it names, its documents and its
obligations, in one submit that the intake service writes as one transaction; and the live preview of an
obligation's due instant.

A refused submit comes back with every value kept, the documents included (``staging``), and its
status (400, 403, 409); nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from .. import instants
from ..errors import DomainError
from ..forms.directive_edits import NewObligationForm
from ..forms.intake import DirectiveIntakeForm, IntakeForms
from ..forms.obligations import ObligationForm
from ..models import Authority, Directive, IntakeItem
from ..permissions import Action
from ..services import intake as intake_services
from ..services import mailbox as mailbox_services
from ..services import obligations as obligation_services
from .common import answers_domain_errors, get_directive, now, require_view
from .staging import StagedUpload, StagedUploads

INTAKE = "directives/intake.html"


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def directive_create_view(request: HttpRequest) -> HttpResponse:
    require_view(request, Action.LOG_DIRECTIVE)
    when = now()
    posted = request.method == "POST"
    chosen_pk = request.GET.get("authority", "")
    chosen = (
        Authority.objects.filter(pk=chosen_pk).first()
        if chosen_pk.isdigit() and len(chosen_pk) < 19
        else None
    )
    forms = IntakeForms.bind(
        request.POST if posted else None, request.FILES if posted else None, now=when, chosen=chosen
    )
    stash = StagedUploads(int(request.user.pk or 0))
    staged: list[StagedUpload] = []
    error: DomainError | None = None
    status = 200
    item, item_version = queued_message(request.POST) if posted else (None, None)
    if posted:
        staged, staged_files = stash.load(request.POST.getlist("staged"))
        status = 400
        if forms.is_valid():
            intake = {
                **forms.directive_fields(),
                "products": forms.affected_products(),
                "documents": [*staged_files, *forms.directive.cleaned_data["documents"]],
                "obligations": forms.new_obligations(),
                "actor": request.user,
                "now": when,
            }
            try:
                if item is None:
                    directive = intake_services.log_intake(**intake)
                else:  # logged from a message of the intake mailbox: its queue row is closed with it
                    directive = mailbox_services.log_item(item=item, expected_version=item_version, **intake)
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
        "intake_item": item,
        "intake_item_version": item_version,
    }
    return render(request, INTAKE, context, status=status)


def queued_message(data: Any) -> tuple[IntakeItem | None, int | None]:
    """The intake mailbox's message this submit logs (``intake_item``) and the version it was read at."""
    pk, version = str(data.get("intake_item", "")), str(data.get("intake_item_version", ""))
    if not pk:
        return None, None
    item = IntakeItem.objects.filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 19 else None
    if item is None:
        raise Http404("No such message in the intake mailbox.")
    return item, int(version) if version.isdigit() and len(version) < 10 else None


def _logged(directive: Directive) -> str:
    hashes = ", ".join(f"{d.original_name} (SHA-256 {d.sha256})" for d in directive.documents.all())
    receipt = instants.legal(directive.received_at, directive.authority)
    return f"Logged {directive.reference}: receipt at {receipt}" + (
        f". Documents: {hashes}" if hashes else "."
    )


@login_required
@answers_domain_errors
@require_POST
def preview_due_view(request: HttpRequest) -> HttpResponse:
    """The due instant an obligation row would get, shown live in the authority's zone and in UTC: a row
    of the intake (counted from the receipt typed there), or the row that adds an obligation to a logged
    directive (``directive``: counted from its receipt)."""
    prefix = request.POST.get("row", "")
    directive_pk = request.POST.get("directive", "")
    authority: Authority | None
    received_at: dt.datetime | None
    if directive_pk:
        directive = (
            get_directive(int(directive_pk)) if directive_pk.isdigit() and len(directive_pk) < 19 else None
        )
        if directive is None:
            raise Http404("No such directive.")
        require_view(request, Action.MANAGE_OBLIGATIONS, directive)
        valid_row = prefix == NewObligationForm.PREFIX
        authority, received_at, basis_error = directive.authority, directive.received_at, ""
    else:
        require_view(request, Action.LOG_DIRECTIVE)
        valid_row = prefix.startswith("obligations-") and prefix.removeprefix("obligations-").isdigit()
        authority, received_at, basis_error = _intake_basis(request)
    if not valid_row:
        return render(request, f"{INTAKE}#due-preview", {"preview_error": "Unknown row."}, status=400)
    row = ObligationForm(request.POST, prefix=prefix, zone=instants.zone_of(authority))
    context: dict[str, Any] = {"row_prefix": prefix}
    if authority is None or received_at is None:
        context["preview_error"] = basis_error
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
            counted = obligation_services.preview_due(
                directive_received_at=received_at,
                authority=authority,
                deadline=deadline,
                convention=row.convention_override(),
            )
        except DomainError as exc:
            context["preview_error"] = exc.message
        else:
            context.update(
                {
                    "due": counted.due,
                    "explanation": counted.explanation,
                    "zone": authority.time_zone,
                    "rule_text": deadline.describe(authority),
                }
            )
    return render(request, f"{INTAKE}#due-preview", context)


def _intake_basis(request: HttpRequest) -> tuple[Authority | None, dt.datetime | None, str]:
    """The authority and receipt typed on the intake page, or why there are none yet."""
    intake = DirectiveIntakeForm(request.POST, now=now())
    intake.is_valid()
    authority = intake.cleaned_data.get("authority")
    received_at = intake.cleaned_data.get("received_at")
    problems = [str(e) for k in ("received_date", "received_time") for e in intake.errors.get(k, [])]
    error = (
        f"Receipt time: {' '.join(problems)}"
        if problems
        else "Enter the authority and the receipt time first."
    )
    return authority, received_at, error


urlpatterns = [
    path("directives/new/", directive_create_view, name="directive_create"),
    path("directives/new/preview-due/", preview_due_view, name="directive_preview_due"),
]
