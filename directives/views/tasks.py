"""Engineers' pages: "My tasks", the filtered task list, and the task page with its actions.

Every action form carries the task's ``version`` (optimistic concurrency) and a signed snapshot of what the
user saw. When the service answers ``StaleVersion`` the page says who changed what since (the fields
that differ and the task's timeline entries written after the form was rendered), keeps the user's input
and carries the current version, so a second submit, made knowingly, goes through.

Buttons the user may not use are not shown, and the POST is refused anyway (403) by the service's
``require`` (directives.permissions), which is the single source of the rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .. import instants, states
from ..choices import Role, TaskStatus
from ..errors import DomainError, NotAllowed, StaleVersion
from ..forms.task_filters import TaskFilterForm
from ..forms.tasks import TASK_ACTION_FORMS, VersionedForm, status_moves
from ..models import RemediationTask, TimelineEntry
from ..permissions import Action, can, roles_of
from ..selectors import tasks as selectors
from .common import is_htmx, now, paginate, query_without_page, render_page, require_view
from .staging import StagedUpload, StagedUploads
from .task_actions import PERFORMERS

PAGE_SIZE = 25
SNAPSHOT_SALT = "docket.task-form-snapshot"
DETAIL = "tasks/detail.html"
NO_ROLE = "Your account has no role that may see tasks; ask an administrator."


# --- Snapshots and stale forms ---------------------------------------------------------------------


def _who(user: Any) -> str:
    return user.get_username() if user is not None else "nobody"


def snapshot_of(task: RemediationTask, last_seq: int) -> dict[str, Any]:
    return {
        "v": task.version,
        "seq": last_seq,
        "Title": task.title,
        "Status": TaskStatus(task.status).label,
        "Assignee": _who(task.assignee),
        "Due": task.due_at.isoformat() if task.due_at else "none",
        "Priority": task.priority,
        "Resolution": task.resolution or "",
    }


def sign_snapshot(task: RemediationTask, last_seq: int) -> str:
    return signing.dumps(snapshot_of(task, last_seq), salt=SNAPSHOT_SALT, compress=True)


def read_snapshot(value: str) -> dict[str, Any]:
    try:
        loaded = signing.loads(value or "", salt=SNAPSHOT_SALT)
    except signing.BadSignature:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _shown(key: str, value: Any, task: RemediationTask, viewer_zone: Any) -> str:
    """A snapshot value as the page shows it: a due instant in words, in the reader's zone with the
    authority's beside it where it reads differently (as the task page shows it)."""
    if key == "Due" and value not in (None, "", "none"):
        try:
            instant = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return instants.work(instant, viewer_zone, task.directive.authority) or str(value)
    return str(value)


@dataclass(frozen=True)
class StaleReport:
    message: str
    changes: list[tuple[str, str, str]]  # field, what you saw, what it is now
    entries: list[TimelineEntry]
    changed_by: str
    form_name: str
    files_dropped: bool = False


def stale_report(
    task: RemediationTask,
    *,
    error: StaleVersion,
    submitted: str,
    form_name: str,
    files_dropped: bool,
    viewer_zone: Any = None,
) -> StaleReport:
    seen = read_snapshot(submitted)
    current = task
    now_values = snapshot_of(current, 0)
    changes = [
        (key, _shown(key, seen[key], task, viewer_zone), _shown(key, now_values[key], task, viewer_zone))
        for key in ("Title", "Status", "Assignee", "Due", "Priority", "Resolution")
        if key in seen and str(seen[key]) != str(now_values[key])
    ]
    entries = selectors.task_entries_since(task=current, seq=int(seen.get("seq", 0) or 0))
    changed_by = ", ".join(dict.fromkeys(e.actor_label for e in entries)) or _who(
        getattr(current, "updated_by", None)
    )
    return StaleReport(
        message=error.message,
        changes=changes,
        entries=entries,
        changed_by=changed_by,
        form_name=form_name,
        files_dropped=files_dropped,
    )


# --- Files kept from a submit that failed ------------------------------------------------------------


@dataclass
class Kept:
    """The evidence files of a failed submit, staged server-side (views/staging.py) so that the person does
    not choose them again: the form carries a token for each, ticked, and the next submit includes them."""

    name: str
    stash: StagedUploads | None = None
    staged: list[StagedUpload] = field(default_factory=list)
    files: list[UploadedFile] = field(default_factory=list)

    @classmethod
    def load(cls, request: HttpRequest, name: str) -> Kept:
        if "evidence_files" not in TASK_ACTION_FORMS[name].base_fields:
            return cls(name)
        stash = StagedUploads(int(request.user.pk or 0))
        staged, files = stash.load(request.POST.getlist("staged"))
        return cls(name, stash, staged, files)

    def keep(self, request: HttpRequest, when: dt.datetime) -> Kept:
        """The files already kept and the acceptable ones of this submit (a refused one is named in the
        form's errors, not kept)."""
        if self.stash is not None:
            self.staged = self.stash.stage_new(request.FILES.getlist("evidence_files"), self.staged, when)
        return self

    def discard(self) -> None:
        if self.stash is not None:
            self.stash.discard(self.staged)


# --- Rendering the task page -------------------------------------------------------------------------


def _permissions(user: Any, task: RemediationTask) -> dict[str, Any]:
    resolved = task.status == TaskStatus.RESOLVED
    may_work = can(user, Action.WORK_TASK, task)
    moves = status_moves(task) if may_work else []
    return {
        "can_work": may_work,
        "can_edit": may_work and task.status != TaskStatus.VERIFIED,
        "can_attach": may_work and task.status != TaskStatus.VERIFIED,
        "can_change_status": bool(moves),
        "can_resolve": may_work
        and TaskStatus.RESOLVED in states.allowed(states.TASK_TRANSITIONS, TaskStatus(task.status)),
        "can_verify": resolved and can(user, Action.VERIFY_TASK, task),
        "is_resolver": resolved and task.resolved_by_id == user.pk,
        "can_reassign": can(user, Action.REASSIGN_TASK, task),
        "can_comment": can(user, Action.COMMENT, task),
        "is_engineer_not_assignee": Role.ENGINEERING in roles_of(user)
        and Role.LEGAL not in roles_of(user)
        and not may_work,
    }


def _fresh_forms(task: RemediationTask, snapshot: str) -> dict[str, forms.Form]:
    built: dict[str, forms.Form] = {}
    for name, form_class in TASK_ACTION_FORMS.items():
        if issubclass(form_class, VersionedForm):
            built[name] = form_class(task=task, initial={"version": task.version, "snapshot": snapshot})
        else:
            built[name] = form_class()
    return built


def render_task(
    request: HttpRequest,
    task_id: int,
    *,
    status: int = 200,
    bound: tuple[str, forms.Form] | None = None,
    stale: StaleReport | None = None,
    notice: str = "",
    notice_level: str = "success",
    kept: Kept | None = None,
) -> HttpResponse:
    when = now()
    try:
        page = selectors.task_page(task_id=task_id, now=when)
    except RemediationTask.DoesNotExist as exc:
        raise Http404("No such task.") from exc
    task = page.task
    snapshot = sign_snapshot(task, page.last_seq)
    task_forms = _fresh_forms(task, snapshot)
    if bound is not None:
        name, form = bound
        task_forms[name] = form
    context = {
        "page": page,
        "task": task,
        "now": when,
        "company_zone": instants.company_zone().key,
        "forms": task_forms,
        "stale": stale,
        "notice": notice,
        "notice_level": notice_level,
        "open_form": bound[0] if bound else "",
        "staged": kept.staged if kept is not None else [],
        "staged_for": kept.name if kept is not None else "",
        **_permissions(request.user, task),
    }
    return render_page(request, DETAIL, "task-body", context, status=status)


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request, reason=NO_ROLE)
    return render_task(request, pk)


# --- Actions ---------------------------------------------------------------------------------------

# The service names a field in InvalidInput; the form calls it this.
FIELD_FOR = {
    "title": "title",
    "description": "description",
    "priority": "priority",
    "status": "to_status",
    "note": "note",
    "text": "text",
    "resolution": "resolution",
    "url": "evidence_links",
    "file": "evidence_files",
    "assignee": "assignee",
    "due_at": "due_at",
    "reason": "reason",
}


def _bind(form_class: type[forms.Form], data: Any, files: Any, task: RemediationTask) -> forms.Form:
    with timezone.override(instants.company_zone()):  # a typed due time is in the company's zone
        form: forms.Form = (
            form_class(data, files, task=task) if issubclass(form_class, VersionedForm) else form_class(data)
        )
        form.is_valid()
    return form


def _stale(
    request: HttpRequest, pk: int, name: str, exc: StaleVersion, data: dict[str, Any], kept: Kept
) -> HttpResponse:
    """409: what changed since the form was rendered, and the form again with the user's input."""
    page = selectors.task_page(task_id=pk, now=now())
    report = stale_report(
        page.task,
        error=exc,
        submitted=str(data.get("snapshot", "")),
        form_name=name,
        files_dropped=bool(data.get("evidence_files")) and not kept.staged,
        viewer_zone=instants.viewer_zone(request.user),
    )
    overrides = {"version": str(page.task.version), "snapshot": sign_snapshot(page.task, page.last_seq)}
    data_again = request.POST.copy()
    for key, value in overrides.items():
        data_again[key] = value
    form = _bind(TASK_ACTION_FORMS[name], data_again, None, page.task)
    return render_task(request, pk, status=409, bound=(name, form), stale=report, kept=kept)


def _act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    require_view(request, reason=NO_ROLE)
    try:
        task = RemediationTask.objects.select_related(
            "directive", "directive__authority", "assignee", "resolved_by", "updated_by"
        ).get(pk=pk)
    except RemediationTask.DoesNotExist as exc:
        raise Http404("No such task.") from exc
    when = now()
    form = _bind(TASK_ACTION_FORMS[name], request.POST, request.FILES, task)
    kept = Kept.load(request, name)
    if not form.is_valid():
        return render_task(request, pk, status=400, bound=(name, form), kept=kept.keep(request, when))
    data = dict(form.cleaned_data)
    if kept.files:
        data["evidence_files"] = [*kept.files, *data.get("evidence_files", [])]
    try:
        notice = PERFORMERS[name](task, data, request.user, when, data.get("version"))
    except StaleVersion as exc:
        return _stale(request, pk, name, exc, data, kept.keep(request, when))
    except NotAllowed as exc:
        if is_htmx(request):
            return render_task(request, pk, status=403, notice=exc.message, notice_level="error")
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        target = FIELD_FOR.get(exc.field or "")
        if target and target in form.fields:
            form.add_error(target, exc.message)
            notice = ""
        else:  # about the task, not a field: said at the top, where it is seen even if the form is gone
            notice = exc.message
        return render_task(
            request,
            pk,
            status=exc.status_code,
            bound=(name, form),
            kept=kept.keep(request, when),
            notice=notice,
            notice_level="error",
        )
    kept.discard()
    if is_htmx(request):
        return render_task(request, pk, notice=notice)
    messages.success(request, notice)
    return HttpResponseRedirect(reverse("task_detail", args=[pk]))


def _action_view(name: str) -> Any:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _act(request, pk, name)

    view.__name__ = f"task_{name}"
    return view


# --- My tasks and the list -------------------------------------------------------------------------


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    require_view(request, reason=NO_ROLE)
    when = now()
    board = selectors.my_tasks_board(
        user=request.user, now=when, include_verification=Role.ENGINEERING in roles_of(request.user)
    )
    context = {
        "board": board,
        "column_limit": selectors.COLUMN_LIMIT,
        "awaiting_limit": selectors.AWAITING_VERIFICATION_LIMIT,
        "now": when,
        "company_zone": instants.company_zone().key,
    }
    return render(request, "tasks/mine.html", context)


@dataclass(frozen=True)
class SortHeader:
    """A column heading of the task list: a link that sorts by it (ascending first, then descending)."""

    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "none"

    @property
    def arrow(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.aria_sort, "")


# The task list's columns, by the sort key of each.
LIST_COLUMNS = ("title", "directive__reference", "status", "priority", "assignee__username", "due_at")


def sort_headers(request: HttpRequest, ordering: str) -> list[SortHeader]:
    """The list's column headings: each links to the query string with the other filters kept, the page
    reset, and its sort."""
    headers = []
    for key in LIST_COLUMNS:
        label = selectors.TASK_SORTS[key]
        state = {key: "ascending", f"-{key}": "descending"}.get(ordering, "none")
        query = request.GET.copy()
        query.pop("page", None)
        query["ordering"] = f"-{key}" if state == "ascending" else key
        headers.append(SortHeader(label=label, url=f"?{query.urlencode()}", aria_sort=state))
    return headers


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    require_view(request, reason=NO_ROLE)
    when = now()
    form = TaskFilterForm(request.GET or None)
    filters = form.filters() if request.GET else selectors.TaskFilters()
    qs = selectors.filtered_tasks(filters=filters, user=request.user, now=when)
    page_obj = paginate(request, qs, PAGE_SIZE)
    cards = [selectors.card(t, now=when) for t in page_obj.object_list]
    context = {
        "form": form,
        "filters": filters,
        "headers": sort_headers(request, filters.ordering),
        "page_obj": page_obj,
        "cards": cards,
        "query": query_without_page(request),
        "now": when,
        "company_zone": instants.company_zone().key,
    }
    return render_page(request, "tasks/list.html", "results", context)


urlpatterns = [
    path("tasks/", task_list, name="task_list"),
    path("tasks/mine/", my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/", task_detail, name="task_detail"),
    *[path(f"tasks/<int:pk>/{name}/", _action_view(name), name=f"task_{name}") for name in TASK_ACTION_FORMS],
]
