"""Legal's directive pages: the list (search and filters), the directive page, and its actions (record
what happened, change the status, record an access change, publish a statement, correct an entry).

Each action parses its form and calls one service. A refusal (``DomainError``) comes back as the panel
with the message and every value kept, with its status (400, 403, 409), never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from .. import instants
from ..choices import DirectiveStatus
from ..errors import DomainError, StaleVersion
from ..forms.directive_actions import (
    AccessChangeForm,
    CorrectionForm,
    DirectiveActionForm,
    DirectiveStatusForm,
    RecordActionForm,
    StatementForm,
)
from ..forms.directive_edits import (
    AmendDirectiveForm,
    LinkForm,
    NewAffectedProductForm,
    NewObligationForm,
    NewTaskForm,
    RemoveLinkForm,
)
from ..models import Directive
from ..permissions import Action, can
from ..selectors.directives import directive_list
from ..services import directives as directive_services
from ..services import links as link_services
from ..services import obligations as obligation_services
from ..services import suspension
from ..services import tasks as task_services
from .common import (
    answers_domain_errors,
    auto_id,
    get_directive,
    is_htmx,
    now,
    paginate,
    query_without_page,
    render_page,
    require_view,
)
from .directive_page import DETAIL, ActionPanel, done, page_context, refused

PAGE_SIZE = 20


@login_required
@answers_domain_errors
@require_GET
def directive_list_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    filterset = directive_list(request.GET)
    page = paginate(request, filterset.qs, PAGE_SIZE)
    context = {
        "filter": filterset,
        "page_obj": page,
        "directives": page.object_list,
        "query": query_without_page(request),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "now": now(),
    }
    return render_page(request, "directives/list.html", "results", context)


@login_required
@answers_domain_errors
@require_GET
def directive_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    get_directive(pk)
    return render(request, DETAIL, page_context(request, pk, now()))


# --- Actions -------------------------------------------------------------------------------------

Perform = Callable[[HttpRequest, Directive, dict[str, Any], dt.datetime], str]


def _record(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    entry = directive_services.record_action(
        directive=directive,
        kind=data["kind"],
        summary=data["summary"],
        occurred_at=data["occurred_at"],
        actor=request.user,
        now=when,
    )
    at = instants.legal(entry.occurred_at, directive.authority)
    return f"Recorded #{entry.seq}: {entry.get_kind_display()} at {at}."


def _status(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    directive_services.transition_directive(
        directive=directive,
        to_status=data["to_status"],
        occurred_at=data["occurred_at"],
        note=data["note"],
        expected_version=data["version"],
        actor=request.user,
        now=when,
    )
    return f"Status is now {DirectiveStatus(directive.status).label}."


def _access(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    result = suspension.change_access(
        product=data["product"],
        audiences=list(data["audiences"]),
        state=data["state"],
        directive=directive,
        occurred_at=data["occurred_at"],
        reason=data["reason"],
        actor=request.user,
        now=when,
    )
    names = ", ".join(a.name for a in data["audiences"])
    if not isinstance(result, list):
        return f"{data['product']}: lift for {names} requested; a second person must approve it."
    at = instants.legal(data["occurred_at"], directive.authority)
    return f"{data['product']}: access {data['state']} for {names} as of {at}."


def _statement(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    directive_services.publish_statement(
        directive=directive,
        text=data["text"],
        url=data["url"],
        posture=data["posture"],
        occurred_at=data["occurred_at"],
        actor=request.user,
        now=when,
    )
    return "Statement published on the timeline."


def _correction(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    entry = directive_services.add_correction(
        entry=data["entry_obj"],
        summary=data["summary"],
        occurred_at=data.get("occurred_at"),
        actor=request.user,
        now=when,
    )
    return f"Correction #{entry.seq} added beside entry #{data['entry_obj'].seq}."


def _task(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    task = task_services.create_task(
        directive=directive,
        title=data["title"],
        description=data["description"],
        obligation=data["obligation"],
        product=data["product"],
        assignee=data["assignee"],
        priority=data["priority"],
        due_at=data["due_at"],
        directive_version=data["version"],
        actor=request.user,
        now=when,
    )
    who = task.assignee.get_username() if task.assignee else "nobody yet"
    due = instants.legal(task.due_at, directive.authority) if task.due_at else "no due date"
    return f"Task added: {task.title}, assigned to {who}, due {due}."


def _obligation(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    deadline = data["deadline"]
    obligation = obligation_services.add_obligation(
        directive=directive,
        title=data["title"],
        description=data["description"],
        deadline_rule=deadline.rule,
        deadline_amount=deadline.amount,
        deadline_at=deadline.stated,
        convention={"preset": data["convention"]} if data.get("convention") else None,
        directive_version=data["version"],
        actor=request.user,
        now=when,
    )
    due = instants.legal(obligation.due_at, directive.authority)
    return f"Obligation added: {obligation.title}, {obligation.due_rule_text}, due {due}."


def _product(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    link = directive_services.add_affected_product(
        directive=directive,
        product=data["product"],
        required_action=data["required_action"],
        expected_version=data["version"],
        actor=request.user,
        now=when,
    )
    return f"{link.product.name} added to the directive: {link.required_action}."


def _amend(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    directive_services.amend_directive(
        directive=directive,
        changes=data["changes"],
        expected_version=data["version"],
        actor=request.user,
        now=when,
    )
    return "Directive amended; the timeline shows each field before and after."


def _link(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    link = link_services.add_link(
        directive=directive, kind=data["kind"], target=data["target"], actor=request.user, now=when
    )
    return f"Linked: {directive.reference} {link.label_for(directive.pk).lower()} {link.target.reference}."


def _unlink(request: HttpRequest, directive: Directive, data: dict[str, Any], when: dt.datetime) -> str:
    link = data["link"]
    label, other = link.label_for(directive.pk).lower(), link.other(directive.pk)
    link_services.remove_link(directive=directive, link=link, actor=request.user, now=when)
    return f"Link removed: {directive.reference} no longer {label} {other.reference}."


# name in the URL -> (its form, the role table's actions (any one of them lets the form in; the service
# decides by what is asked: a comment needs COMMENT, any other kind RECORD_ACTION), what it does)
ACTIONS: dict[
    str, tuple[type[DirectiveActionForm] | type[NewObligationForm], Action | tuple[Action, ...], Perform]
] = {
    "record": (RecordActionForm, (Action.RECORD_ACTION, Action.COMMENT), _record),
    "status": (DirectiveStatusForm, Action.EDIT_DIRECTIVE, _status),
    "access": (AccessChangeForm, Action.RECORD_ACCESS_CHANGE, _access),
    "statement": (StatementForm, Action.RECORD_ACTION, _statement),
    "correction": (CorrectionForm, Action.RECORD_ACTION, _correction),
    "task": (NewTaskForm, Action.CREATE_TASK, _task),
    "obligation": (NewObligationForm, Action.MANAGE_OBLIGATIONS, _obligation),
    "product": (NewAffectedProductForm, Action.EDIT_DIRECTIVE, _product),
    "amend": (AmendDirectiveForm, Action.EDIT_DIRECTIVE, _amend),
    "link": (LinkForm, Action.EDIT_DIRECTIVE, _link),
    "unlink": (RemoveLinkForm, Action.EDIT_DIRECTIVE, _unlink),
}


@login_required
@answers_domain_errors
@require_POST
def directive_action_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in ACTIONS:
        raise Http404("No such action.")
    form_class, actions, perform = ACTIONS[name]
    directive = get_directive(pk)
    allowed = actions if isinstance(actions, tuple) else (actions,)
    if not any(can(request.user, action, directive) for action in allowed):
        require_view(request, allowed[0], directive)
    when = now()
    who = {"user": request.user} if issubclass(form_class, DirectiveActionForm) else {}
    form = form_class(request.POST, directive=directive, now=when, auto_id=auto_id(name), **who)
    if not form.is_valid():
        return _refused(request, pk, name, form, "Check the highlighted fields.", 400, when)
    try:
        message = perform(request, directive, form.cleaned_data, when)
    except DomainError as exc:
        if isinstance(exc, StaleVersion) and "version" in form.fields:
            # The input is kept and carries the version now stored: a second submit, made knowingly, goes through.
            data = request.POST.copy()
            data["version"] = str(exc.context.get("current_version", ""))
            form = form_class(data, directive=get_directive(pk), now=when, auto_id=auto_id(name), **who)
            form.is_valid()
        elif (field := _form_field(form, exc.field)) is not None:
            form.add_error(field, exc.message)
        return _refused(request, pk, name, form, exc.message, exc.status_code, when)
    return done(request, pk, message, when)


def _form_field(form: forms.Form, field: str | None) -> str | None:
    """The form's field for a service's ``field``: itself, or the date input of an instant
    (``occurred_at`` is typed as ``occurred_date`` and ``occurred_time``)."""
    for name in (field, f"{field[: -len('_at')]}_date" if field and field.endswith("_at") else None):
        if name and name in form.fields:
            return name
    return None


def _refused(
    request: HttpRequest, pk: int, name: str, form: forms.Form, error: str, status: int, when: dt.datetime
) -> HttpResponse:
    """The page with the submitted form in its panel, open, with ``error``."""
    context = page_context(request, pk, when, opened=name)
    panels = [*context["panels"], *context["card_panels"].values()]
    panel = next((p for p in panels if p.name == name), None)
    if panel is None:  # no panel of its own (a link's "Remove"), or one the page no longer offers
        error = " ".join(str(e) for errors in form.errors.values() for e in errors) or error
        if is_htmx(request):  # the page itself says why
            return render(request, f"{DETAIL}#detail", {**context, "error": error}, status=status)
        panel = ActionPanel(name=name, title="", form=form, url=request.path, submit="Save")
    elif isinstance(form, CorrectionForm):  # the entries the page offers
        form.fields["entry"].widget = panel.form.fields["entry"].widget
    panel.form, panel.error, panel.open = form, error, True
    return refused(request, context, panel, status=status)


urlpatterns = [
    path("directives/", directive_list_view, name="directive_list"),
    path("directives/<int:pk>/", directive_detail_view, name="directive_detail"),
    path("directives/<int:pk>/actions/<slug:name>/", directive_action_view, name="directive_action"),
]
