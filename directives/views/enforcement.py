"""The directive page's enforcement card: each control's progress (polled by htmx while a change is under
way), the one-click suspension, a manual control's confirmation and a lift's approval."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from ..models import Enforcement, LiftRequest
from ..permissions import Action, can
from ..selectors.enforcement import enforcement_panel
from ..services import enforcement as enforcement_services
from ..services import suspension
from .common import answers_domain_errors, get_directive, now, require_view
from .directive_page import done

CARD = "directives/includes/enforcement.html"


def card_context(request: HttpRequest, directive_pk: int) -> dict[str, object]:
    directive = get_directive(directive_pk)
    return {
        "directive": directive,
        "zone": directive.authority.time_zone,
        "enforcement": enforcement_panel(directive),
        "can_suspend": can(request.user, Action.SUSPEND_PRODUCTS, directive),
        "can_confirm": can(request.user, Action.RECORD_ACCESS_CHANGE, directive),
        "can_approve": can(request.user, Action.APPROVE_LIFT),
        "user_pk": request.user.pk,
    }


@require_GET
def enforcement_card_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    return render(request, CARD, card_context(request, pk))


@login_required
@answers_domain_errors
@require_POST
def suspend_view(request: HttpRequest, pk: int) -> HttpResponse:
    directive = get_directive(pk)
    require_view(request, Action.SUSPEND_PRODUCTS, directive)
    when = now()
    requested = suspension.suspend_all(
        directive=directive, actor=request.user, now=when, reason=request.POST.get("reason", "")[:5000]
    )
    count = directive.products.count()
    return done(
        request,
        pk,
        f"Suspension recorded for {count} product(s); {len(requested)} requested through their controls.",
        when,
    )


@login_required
@answers_domain_errors
@require_POST
def confirm_view(request: HttpRequest, pk: int, enforcement_pk: int) -> HttpResponse:
    e = (
        Enforcement.objects.filter(pk=enforcement_pk, directive_id=pk)
        .select_related("control__product")
        .first()
    )
    if e is None:
        raise Http404("No such access change.")
    require_view(request, Action.RECORD_ACCESS_CHANGE, get_directive(pk))
    when = now()
    enforcement_services.confirm_manually(enforcement=e, actor=request.user, now=when)
    return done(request, pk, f"{e.control.product}: access change confirmed by you.", when)


@login_required
@answers_domain_errors
@require_POST
def approve_view(request: HttpRequest, pk: int, lift_pk: int) -> HttpResponse:
    lift = LiftRequest.objects.filter(pk=lift_pk, directive_id=pk).select_related("product").first()
    if lift is None:
        raise Http404("No such lift request.")
    require_view(request, Action.APPROVE_LIFT, lift)
    when = now()
    suspension.approve_lift(lift=lift, actor=request.user, now=when)
    return done(request, pk, f"{lift.product}: lift approved; it is being carried out.", when)


urlpatterns = [
    path("directives/<int:pk>/enforcement/", enforcement_card_view, name="directive_enforcement"),
    path("directives/<int:pk>/suspend/", suspend_view, name="directive_suspend"),
    path(
        "directives/<int:pk>/enforcements/<int:enforcement_pk>/confirm/",
        confirm_view,
        name="enforcement_confirm",
    ),
    path("directives/<int:pk>/lifts/<int:lift_pk>/approve/", approve_view, name="lift_approve"),
]
