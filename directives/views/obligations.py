"""Marking an obligation met or waived, from the directive page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from .. import instants
from ..errors import DomainError
from ..forms.conventions import ObligationConventionForm, ObligationRecomputeForm
from ..forms.obligations import ObligationActionForm, ObligationMetForm
from ..models import Directive, Obligation
from ..permissions import Action
from ..selectors.conventions import obligation_convention
from ..services import conventions as convention_services
from ..services import obligations as obligation_services
from .common import answers_domain_errors, auto_id, get_directive, now, require_view
from .directive_page import OBLIGATION_ACTIONS, ActionPanel, done, page_context, refused


@login_required
@answers_domain_errors
@require_POST
def obligation_action_view(request: HttpRequest, pk: int, obligation_pk: int, name: str) -> HttpResponse:
    action = next((a for a in OBLIGATION_ACTIONS if a[0] == name), None)
    if action is None:
        raise Http404("No such action.")
    _name, label, form_class = action
    directive = get_directive(pk)
    require_view(request, Action.MANAGE_OBLIGATIONS, directive)
    when = now()
    form = form_class(
        request.POST, directive=directive, now=when, auto_id=auto_id(f"ob{obligation_pk}-{name}")
    )
    error, status = "Check the highlighted fields.", 400
    if form.is_valid():
        obligation = form.cleaned_data["obligation_obj"]
        if obligation.pk != obligation_pk:
            raise Http404("No such obligation.")
        try:
            message = _perform(request, directive, obligation, form, when)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            return done(request, pk, message, when)
    obligation_obj = form.cleaned_data.get("obligation_obj")
    panel = ActionPanel(
        name=f"obligation-{obligation_pk}-{name}",
        title=label,
        form=form,
        url=request.path,
        submit=label,
        open=True,
        error=error,
        subject=obligation_obj.title if obligation_obj is not None else "",
    )
    return refused(request, page_context(request, pk, when), panel, status=status)


def _perform(
    request: HttpRequest,
    directive: Directive,
    obligation: Obligation,
    form: ObligationActionForm,
    when: dt.datetime,
) -> str:
    data: dict[str, Any] = form.cleaned_data
    if isinstance(form, ObligationConventionForm):
        convention_services.set_obligation_convention(
            obligation=obligation,
            convention=form.convention_data(),
            expected_version=data.get("version"),
            actor=request.user,
            now=when,
        )
        return f"{obligation.title} is counted under {obligation_convention(obligation).describe()} from now on; its due instant moves only when recomputed."
    if isinstance(form, ObligationRecomputeForm):
        before = obligation.due_at
        convention_services.recompute_due(
            obligation=obligation, expected_version=data.get("version"), actor=request.user, now=when
        )
        tz = directive.authority
        moved = (
            f"unchanged, {instants.legal(before, tz)}"
            if before == obligation.due_at
            else f"{instants.legal(before, tz)} → {instants.legal(obligation.due_at, tz)}"
        )
        return f"Deadline recomputed: {obligation.title}, due {moved}."
    if isinstance(form, ObligationMetForm):
        obligation_services.mark_obligation_met(
            obligation=obligation,
            met_at=data["occurred_at"],
            note=data["note"],
            expected_version=data.get("version"),
            actor=request.user,
            now=when,
        )
        at = instants.legal(data["occurred_at"], directive.authority)
        return f"Obligation met: {obligation.title} at {at}."
    obligation_services.waive_obligation(
        obligation=obligation,
        reason=data["reason"],
        expected_version=data.get("version"),
        actor=request.user,
        now=when,
    )
    return f"Obligation waived: {obligation.title}."


urlpatterns = [
    path(
        "directives/<int:pk>/obligations/<int:obligation_pk>/<slug:name>/",
        obligation_action_view,
        name="obligation_action",
    ),
]
