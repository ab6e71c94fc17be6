"""How an authority's deadlines are counted: legal chooses its counting convention and keeps its closure
days. Neither moves an existing deadline; the page lists the open obligations counted under another
convention, each recomputed from its directive's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from ..choices import ObligationStatus
from ..conventions import convention_from
from ..errors import DomainError, StaleVersion
from ..forms.conventions import AuthorityConventionForm, ClosureDayForm
from ..instants import calendar_day
from ..models import Authority, ClosureDay, Obligation
from ..permissions import Action
from ..selectors.conventions import closure_days, convention_of
from ..services import conventions as convention_services
from .common import answers_domain_errors, now, require_view

PAGE = "directives/authority_deadlines.html"
MAX_LISTED = 200


def _authority(pk: int) -> Authority:
    authority = Authority.objects.filter(pk=pk).first()
    if authority is None:
        raise Http404("No such authority.")
    return authority


def _page(
    request: HttpRequest,
    authority: Authority,
    *,
    form: AuthorityConventionForm | None = None,
    closure_form: ClosureDayForm | None = None,
    status: int = 200,
) -> HttpResponse:
    current = convention_of(authority)
    open_obligations = list(
        Obligation.objects.filter(directive__authority=authority, status=ObligationStatus.OPEN)
        .select_related("directive")
        .order_by("due_at", "pk")[:MAX_LISTED]
    )
    context: dict[str, Any] = {
        "authority": authority,
        "current": current,
        "form": form
        or AuthorityConventionForm(
            stored=authority.deadline_convention, version=authority.version, auto_id="id_conv_%s"
        ),
        "closure_form": closure_form or ClosureDayForm(auto_id="id_closure_%s"),
        "closures": closure_days(authority, include_removed=True),
        "stale": [
            o
            for o in open_obligations
            if convention_from(o.due_convention) != convention_of(authority, o.convention)
        ],
        "open_count": len(open_obligations),
    }
    return render(request, PAGE, context, status=status)


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def authority_deadlines_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The authority's counting convention and closure days; a POST chooses the convention."""
    require_view(request, Action.LOG_DIRECTIVE)
    authority = _authority(pk)
    if request.method != "POST":
        return _page(request, authority)
    form = AuthorityConventionForm(
        request.POST, stored=authority.deadline_convention, version=authority.version, auto_id="id_conv_%s"
    )
    if form.is_valid():
        try:
            convention_services.set_authority_convention(
                authority=authority,
                convention=form.convention_data() or {},
                expected_version=form.cleaned_data.get("version"),
                actor=request.user,
                now=now(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status_code if not isinstance(exc, StaleVersion) else 409
            return _page(request, authority, form=form, status=status)
        messages.success(
            request,
            f"{authority} counts new deadlines under {convention_of(authority).describe()}. "
            "Existing deadlines are unchanged until recomputed.",
        )
        return HttpResponseRedirect(reverse("authority_deadlines", args=[pk]))
    return _page(request, authority, form=form, status=400)


@login_required
@answers_domain_errors
@require_POST
def closure_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request, Action.LOG_DIRECTIVE)
    authority = _authority(pk)
    form = ClosureDayForm(request.POST, auto_id="id_closure_%s")
    if form.is_valid():
        try:
            closure = convention_services.add_closure_day(
                authority=authority,
                day=form.cleaned_data["day"],
                name=form.cleaned_data["name"],
                actor=request.user,
                now=now(),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _page(request, authority, closure_form=form, status=exc.status_code)
        messages.success(request, f"{authority} keeps {calendar_day(closure.day)} closed ({closure.name}).")
        return HttpResponseRedirect(reverse("authority_deadlines", args=[pk]))
    return _page(request, authority, closure_form=form, status=400)


@login_required
@answers_domain_errors
@require_POST
def closure_remove_view(request: HttpRequest, pk: int, closure_pk: int) -> HttpResponse:
    require_view(request, Action.LOG_DIRECTIVE)
    closure = ClosureDay.objects.filter(pk=closure_pk, authority_id=pk).select_related("authority").first()
    if closure is None:
        raise Http404("No such closure day.")
    convention_services.remove_closure_day(closure=closure, actor=request.user, now=now())
    messages.success(request, f"{closure.authority} no longer keeps {calendar_day(closure.day)} closed.")
    return HttpResponseRedirect(reverse("authority_deadlines", args=[pk]))


urlpatterns = [
    path("authorities/<int:pk>/deadlines/", authority_deadlines_view, name="authority_deadlines"),
    path("authorities/<int:pk>/closures/", closure_add_view, name="closure_add"),
    path(
        "authorities/<int:pk>/closures/<int:closure_pk>/remove/", closure_remove_view, name="closure_remove"
    ),
]
