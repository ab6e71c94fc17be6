"""The directive page as every view that shows it renders it: the selector's page, the action panels the
user may use (record, status, access, statement, correction; met and waive beside each open obligation),
and the answers to an action: the page with a message, or the refused panel with its errors.

The page shows at most ``PAGE_TASKS`` tasks (active first, soonest due) and the latest ``PAGE_ENTRIES``
timeline entries, with the totals and links to the task list and the full timeline, so that its cost does
not grow with the directive's history. The report shows everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django_htmx.http import reswap, retarget

from ..choices import ObligationStatus
from ..forms.conventions import ObligationConventionForm, ObligationRecomputeForm, convention_initial
from ..forms.directive_actions import (
    AccessChangeForm,
    CorrectionForm,
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
)
from ..forms.obligations import ObligationActionForm, ObligationMetForm, ObligationWaiveForm
from ..models import Directive, Obligation
from ..permissions import Action, can
from ..selectors.directives import DirectivePage, directive_page
from ..selectors.enforcement import enforcement_panel
from ..selectors.timeline import entry_on
from ..services.timeline import verify_chain
from .common import auto_id, is_htmx

DETAIL = "directives/detail.html"
PAGE_TASKS = 50
PAGE_ENTRIES = 50

# The directive page's own actions: name -> (the panel's title, its button).
ACTION_TITLES = {
    "record": ("Record what happened", "Record"),
    "status": ("Change status", "Change status"),
    "access": ("Record an access change", "Record access change"),
    "statement": ("Publish the company's statement", "Publish statement"),
    "correction": ("Add a correction", "Add correction"),
    "task": ("Add a remediation task", "Add task"),
    "obligation": ("Add an obligation", "Add obligation"),
    "product": ("Add an affected product", "Add product"),
    "amend": ("Amend the directive", "Save amendments"),
    "link": ("Link to another directive", "Add link"),
}
# Panels whose fields a template of their own lays out (the obligation's rule fields and live preview).
FIELDS_TEMPLATES = {
    "obligation": "directives/includes/obligation_row.html",
    "link": "directives/includes/link_fields.html",
}
# The actions on an obligation: name in the URL, label, form.
OBLIGATION_ACTIONS: list[tuple[str, str, type[ObligationActionForm]]] = [
    ("met", "Mark met", ObligationMetForm),
    ("waive", "Waive", ObligationWaiveForm),
    ("convention", "Counting convention", ObligationConventionForm),
    ("recompute", "Recompute deadline", ObligationRecomputeForm),
]
# Only an open obligation's deadline is counted again.
OPEN_ONLY_ACTIONS = frozenset({"convention", "recompute"})


@dataclass
class ActionPanel:
    name: str
    title: str
    form: forms.Form
    url: str
    submit: str
    open: bool = False
    error: str = ""
    subject: str = ""  # read by screen readers after the title: which obligation a "Mark met" is for
    fields_template: str = ""  # lays out the form's fields instead of one after the other


def page_context(
    request: HttpRequest, directive_pk: int, when: dt.datetime, *, opened: str = "", **extra: Any
) -> dict[str, Any]:
    """What the page's template renders, with the panel ``opened`` open (or the correction, when the
    full timeline's "Correct" link asked for one)."""
    page = directive_page(directive_pk, now=when, task_limit=PAGE_TASKS, timeline_limit=PAGE_ENTRIES)
    directive = page.directive
    opened = opened or ("correction" if request.GET.get("correct") else "")
    opened = opened or ("task" if request.GET.get("task_for") else "")
    can_manage = can(request.user, Action.MANAGE_OBLIGATIONS, directive)
    return {
        "page": page,
        "chain": verify_chain(directive.pk),
        "directive": directive,
        "obligation_rows": [
            (row, obligation_panels(row.obligation, directive, when) if can_manage else [])
            for row in page.obligations
        ],
        "zone": directive.authority.time_zone,
        "panels": _panels(_action_forms(request, page, when), directive, opened=opened),
        "card_panels": {
            p.name: p for p in _panels(_card_forms(request, page, when), directive, opened=opened)
        },
        "can_manage_obligations": can_manage,
        "can_add_task": can(request.user, Action.CREATE_TASK, directive),
        "can_edit_links": can(request.user, Action.EDIT_DIRECTIVE, directive),
        "can_correct": can(request.user, Action.RECORD_ACTION, directive),
        "enforcement": enforcement_panel(directive, [link.product for link in page.products]),
        "can_suspend": can(request.user, Action.SUSPEND_PRODUCTS, directive),
        "can_confirm": can(request.user, Action.RECORD_ACCESS_CHANGE, directive),
        "can_approve": can(request.user, Action.APPROVE_LIFT),
        "user_pk": request.user.pk,
        "now": when,
        **extra,
    }


def _action_forms(request: HttpRequest, page: DirectivePage, when: dt.datetime) -> dict[str, forms.Form]:
    user, directive = request.user, page.directive
    built: dict[str, forms.Form] = {}
    kwargs: dict[str, Any] = {"directive": directive, "now": when, "user": user}
    if can(user, Action.RECORD_ACTION, directive) or can(user, Action.COMMENT, directive):
        built["record"] = RecordActionForm(auto_id=auto_id("record"), **kwargs)
    if can(user, Action.EDIT_DIRECTIVE, directive) and page.allowed_statuses:
        built["status"] = DirectiveStatusForm(auto_id=auto_id("status"), **kwargs)
    if can(user, Action.RECORD_ACCESS_CHANGE, directive) and page.products:
        built["access"] = AccessChangeForm(auto_id=auto_id("access"), **kwargs)
    if can(user, Action.RECORD_ACTION, directive):
        built["statement"] = StatementForm(auto_id=auto_id("statement"), **kwargs)
        selected = request.GET.get("correct") or request.POST.get("entry")
        built["correction"] = _correction_form(page, when, selected)
    return built


def _card_forms(request: HttpRequest, page: DirectivePage, when: dt.datetime) -> dict[str, forms.Form]:
    """The additions, shown in the card they add to: a task (for the obligation ``?task_for=`` names,
    when the person came from that obligation's "Add a task"), an obligation, an affected product; and
    the amendment of the directive's own fields, in the card that shows them."""
    user, directive = request.user, page.directive
    built: dict[str, forms.Form] = {}
    if can(user, Action.CREATE_TASK, directive):
        chosen = request.GET.get("task_for", "")
        initial = {"obligation": chosen} if chosen.isdigit() and len(chosen) < 19 else None
        built["task"] = NewTaskForm(directive=directive, now=when, initial=initial, auto_id=auto_id("task"))
    if can(user, Action.MANAGE_OBLIGATIONS, directive):
        built["obligation"] = NewObligationForm(directive=directive, now=when, auto_id=auto_id("obligation"))
    if can(user, Action.EDIT_DIRECTIVE, directive):
        built["product"] = NewAffectedProductForm(directive=directive, now=when, auto_id=auto_id("product"))
        built["amend"] = AmendDirectiveForm(directive=directive, now=when, auto_id=auto_id("amend"))
        built["link"] = LinkForm(directive=directive, now=when, auto_id=auto_id("link"))
    return built


def _correction_form(page: DirectivePage, when: dt.datetime, selected: str | None) -> CorrectionForm:
    # The entries the page shows (the latest ones), and the one chosen with "Correct" on the full timeline
    # page (?correct=) or in the form being re-shown, when it is older than those.
    entries = [row.entry for row in page.timeline] + [c for row in page.timeline for c in row.corrections]
    if selected and selected.isdigit() and int(selected) not in {e.pk for e in entries}:
        older = entry_on(page.directive.pk, int(selected))
        entries += [older] if older is not None else []
    return CorrectionForm(
        directive=page.directive,
        now=when,
        entries=sorted(entries, key=lambda e: e.seq),
        initial={"entry": selected} if selected else None,
        auto_id=auto_id("correction"),
    )


def _panels(built: dict[str, forms.Form], directive: Directive, opened: str) -> list[ActionPanel]:
    return [
        ActionPanel(
            name=name,
            title=ACTION_TITLES[name][0],
            form=form,
            url=reverse("directive_action", args=[directive.pk, name]),
            submit=ACTION_TITLES[name][1],
            open=name == opened,
            fields_template=FIELDS_TEMPLATES.get(name, ""),
        )
        for name, form in built.items()
    ]


def obligation_panels(obligation: Obligation, directive: Directive, when: dt.datetime) -> list[ActionPanel]:
    """The met/waive forms beside an open or missed obligation."""
    if obligation.status not in (ObligationStatus.OPEN, ObligationStatus.MISSED):
        return []
    initial = {"obligation": obligation.pk, "version": obligation.version}
    chosen = convention_initial(obligation.convention)
    return [
        ActionPanel(
            name=f"obligation-{obligation.pk}-{name}",
            title=label,
            form=form_class(
                directive=directive,
                now=when,
                initial={**initial, **(chosen if name == "convention" else {})},
                auto_id=auto_id(f"ob{obligation.pk}-{name}"),
            ),
            url=reverse("obligation_action", args=[directive.pk, obligation.pk, name]),
            submit=label,
            subject=obligation.title,
        )
        for name, label, form_class in OBLIGATION_ACTIONS
        if name not in OPEN_ONLY_ACTIONS or obligation.status == ObligationStatus.OPEN
    ]


def done(request: HttpRequest, pk: int, message: str, when: dt.datetime) -> HttpResponse:
    """An action went through: the page with ``message`` (htmx swaps the page's body), or a redirect to it."""
    if is_htmx(request):
        return render(request, f"{DETAIL}#detail", page_context(request, pk, when, flash=message))
    messages.success(request, message)
    return HttpResponseRedirect(reverse("directive_detail", args=[pk]))


def refused(
    request: HttpRequest, context: dict[str, Any], panel: ActionPanel, *, status: int
) -> HttpResponse:
    """An action was refused: htmx swaps in the panel with its errors, open; otherwise the whole page with
    the message."""
    if is_htmx(request):
        response = render(request, f"{DETAIL}#action-panel", {**context, "panel": panel}, status=status)
        retarget(response, f"#action-{panel.name}")
        return reswap(response, "outerHTML")
    return render(request, DETAIL, {**context, "error": panel.error}, status=status)
