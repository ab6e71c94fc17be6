"""Legal's pages: log an incoming order, the directive list, the directive page and its actions.

Each view parses a form, calls one service (or, for the intake, several inside one transaction), and
renders. A ``DomainError`` becomes a clear message with its status (400, 403, 409), never a 500; the
form comes back with every value kept, including uploaded files (staged, see ``StagedUploads``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from .. import instants
from ..choices import DirectiveStatus, ObligationStatus
from ..errors import DomainError, NotAllowed
from ..forms.directive_actions import (
    AccessChangeForm,
    CorrectionForm,
    DirectiveStatusForm,
    RecordActionForm,
    StatementForm,
)
from ..forms.intake import DirectiveIntakeForm, IntakeForms
from ..forms.obligations import ObligationForm, ObligationMetForm, ObligationWaiveForm
from ..models import Directive
from ..permissions import Action, can, require
from ..selectors.directives import DirectivePage, directive_list, directive_page
from ..selectors.timeline import entry_on
from ..services import directives as directive_services
from ..services import obligations as obligation_services
from ..services import products as product_services

logger = logging.getLogger("docket.views.legal")
P = ParamSpec("P")
PAGE_SIZE = 20


def now() -> dt.datetime:
    return timezone.now()


def answers_domain_errors(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """A business rule's refusal that a view did not answer itself still reaches the person as a clear
    page with its status (400, 403, 409), never as a 500."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            logger.info("domain error answered", extra={"code": exc.code, "path": request.path})
            return render(
                request,
                "directives/problem.html",
                {"message": exc.message, "status": exc.status_code},
                status=exc.status_code,
            )

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def auto_id(form_name: str) -> str:
    """Field ids unique per form: the directive page holds several forms with the same field names."""
    return f"id_{form_name}_%s"


def require_view(request: HttpRequest, action: Action = Action.VIEW, obj: Any = None) -> None:
    """A refusal as a 403 page that says why (the role table's sentence)."""
    try:
        require(request.user, action, obj)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc


def get_directive(pk: int) -> Directive:
    directive = Directive.objects.select_related("authority").filter(pk=pk).first()
    if directive is None:
        raise Http404("No such directive.")
    return directive


# --- Directive list ----------------------------------------------------------------------------


@login_required
@answers_domain_errors
@require_GET
def directive_list_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    filterset = directive_list(request.GET)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page_obj": page,
        "directives": page.object_list,
        "query": query.urlencode(),
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "now": now(),
    }
    template = "directives/list.html#results" if is_htmx(request) else "directives/list.html"
    return render(request, template, context)


# --- Intake ------------------------------------------------------------------------------------

STAGED_SALT = "docket.staged-upload"
STAGED_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class StagedUpload:
    """A file from a submit that failed, kept server-side so the person does not choose it again."""

    token: str
    name: str
    content_type: str
    size: int
    sha256: str


class StagedUploads:
    """Files of a failed intake kept under ``staging/<user>/<sha256>`` and referred to by a signed token
    (the browser cannot re-fill a file input, and a token cannot point at another user's file)."""

    def __init__(self, user_pk: int) -> None:
        self.user_pk = user_pk

    def _path(self, sha256: str) -> str:
        return f"staging/{self.user_pk}/{sha256}"

    def prune(self, now: dt.datetime) -> None:
        """Forget this user's staged files older than a day (abandoned forms)."""
        folder = f"staging/{self.user_pk}"
        try:
            _dirs, names = default_storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError, OSError):
            return
        for name in names:
            try:
                age = now - default_storage.get_modified_time(f"{folder}/{name}")
            except (NotImplementedError, OSError):
                continue
            if age.total_seconds() > STAGED_MAX_AGE:
                default_storage.delete(f"{folder}/{name}")

    def stage(self, upload: UploadedFile, sha256: str) -> StagedUpload:
        path_ = self._path(sha256)
        if not default_storage.exists(path_):
            upload.seek(0)
            default_storage.save(path_, upload)
        upload.seek(0)
        info = {
            "u": self.user_pk,
            "sha": sha256,
            "name": upload.name or "upload",
            "type": (upload.content_type or "").split(";")[0].strip(),
            "size": upload.size or 0,
        }
        token = signing.dumps(info, salt=STAGED_SALT)
        return StagedUpload(token, str(info["name"]), str(info["type"]), upload.size or 0, sha256)

    def load(self, tokens: list[str]) -> tuple[list[StagedUpload], list[UploadedFile]]:
        staged: list[StagedUpload] = []
        files: list[UploadedFile] = []
        for token in tokens:
            try:
                info = signing.loads(token, salt=STAGED_SALT, max_age=STAGED_MAX_AGE)
            except signing.BadSignature:
                continue
            if info.get("u") != self.user_pk or not default_storage.exists(self._path(info["sha"])):
                continue
            with default_storage.open(self._path(info["sha"]), "rb") as handle:
                content = handle.read()
            staged.append(StagedUpload(token, info["name"], info["type"], len(content), info["sha"]))
            files.append(SimpleUploadedFile(info["name"], content, content_type=info["type"]))
        return staged, files

    def discard(self, items: list[StagedUpload]) -> None:
        for item in items:
            try:
                default_storage.delete(self._path(item.sha256))
            except OSError:  # pragma: no cover - best effort cleanup
                logger.warning("could not delete a staged upload", extra={"sha256": item.sha256})


def _intake_forms(request: HttpRequest, when: dt.datetime) -> tuple[DirectiveIntakeForm, Any, Any]:
    posted = request.method == "POST"
    bound = IntakeForms.bind(request.POST if posted else None, request.FILES if posted else None, now=when)
    return bound.directive, bound.products, bound.obligations


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def directive_create_view(request: HttpRequest) -> HttpResponse:
    require_view(request, Action.LOG_DIRECTIVE)
    when = now()
    form, products, obligations = _intake_forms(request, when)
    stash = StagedUploads(int(request.user.pk or 0))
    staged: list[StagedUpload] = []
    error: DomainError | None = None
    status = 200
    if request.method == "POST":
        staged, staged_files = stash.load(request.POST.getlist("staged"))
        valid = all([form.is_valid(), products.is_valid(), obligations.is_valid()])
        if valid:
            uploads = [*staged_files, *form.cleaned_data["documents"]]
            try:
                directive = _log_everything(request, form, products, obligations, uploads, when)
            except DomainError as exc:
                error = exc
                status = exc.status_code
                if exc.field and exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
            else:
                stash.discard(staged)
                hashes = ", ".join(
                    f"{d.original_name} (SHA-256 {d.sha256})" for d in directive.documents.all()
                )
                receipt = instants.iso_pair(directive.received_at, directive.authority)
                messages.success(
                    request,
                    f"Logged {directive.reference}: receipt at {receipt}"
                    + (f". Documents: {hashes}" if hashes else "."),
                )
                return HttpResponseRedirect(reverse("directive_detail", args=[directive.pk]))
        else:
            status = 400
        # Keep the files of this submit so that nothing has to be chosen again.
        from ..services.common import check_upload

        stash.prune(when)
        for upload in request.FILES.getlist("documents"):
            try:
                sha256, _name, _size = check_upload(upload)
            except DomainError:
                continue  # refused files are named in the form's errors
            if all(s.sha256 != sha256 for s in staged):
                staged.append(stash.stage(upload, sha256))
    context = {
        "form": form,
        "products": products,
        "obligations": obligations,
        "staged": staged,
        "error": error,
        "now": when,
        "rules_with_amount": "hours calendar_days business_days",
    }
    return render(request, "directives/intake.html", context, status=status)


def _log_everything(
    request: HttpRequest,
    form: DirectiveIntakeForm,
    products: Any,
    obligations: Any,
    uploads: list[UploadedFile],
    when: dt.datetime,
) -> Directive:
    """One transaction: the directive, its documents and its obligations, or nothing."""
    saved: list[str] = []
    data = form.cleaned_data
    try:
        with transaction.atomic():
            directive = directive_services.log_directive(
                authority=data["authority"],
                reference=data["reference"],
                title=data["title"],
                kind=data["kind"],
                received_at=data["received_at"],
                delivery_channel=data["delivery_channel"],
                summary=data["summary"],
                full_text=data["full_text"],
                actor=request.user,
                now=when,
                products=[
                    directive_services.AffectedProduct(
                        f.cleaned_data["product"], f.cleaned_data["required_action"]
                    )
                    for f in products.forms
                    if f.cleaned_data.get("product")
                ],
            )
            for upload in uploads:
                doc = directive_services.add_document(
                    directive=directive, upload=upload, actor=request.user, now=when
                )
                saved.append(doc.file.name)
            for f in obligations.forms:
                if not f.cleaned_data or not f.cleaned_data.get("title"):
                    continue
                obligation_services.add_obligation(
                    directive=directive,
                    title=f.cleaned_data["title"],
                    deadline_rule=f.cleaned_data["deadline_rule"],
                    deadline_amount=f.cleaned_data.get("deadline_amount"),
                    deadline_at=f.cleaned_data.get("deadline_at"),
                    description=f.cleaned_data.get("description", ""),
                    actor=request.user,
                    now=when,
                )
    except Exception:
        for name in saved:  # the rows rolled back; their files must not linger
            default_storage.delete(name)
        raise
    return directive


@login_required
@answers_domain_errors
@require_POST
def preview_due_view(request: HttpRequest) -> HttpResponse:
    """The due instant an obligation row would get, shown live in the authority's zone and in UTC."""
    require_view(request, Action.LOG_DIRECTIVE)
    prefix = request.POST.get("row", "")
    if not prefix.startswith("obligations-") or not prefix.removeprefix("obligations-").isdigit():
        return render(
            request, "directives/intake.html#due-preview", {"preview_error": "Unknown row."}, status=400
        )
    intake = DirectiveIntakeForm(request.POST, now=now())
    intake.is_valid()
    authority = intake.cleaned_data.get("authority")
    received_at = intake.cleaned_data.get("received_at")
    tz = instants.zone_of(authority)
    row = ObligationForm(request.POST, prefix=prefix, zone=tz)
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
    return render(request, "directives/intake.html#due-preview", context)


# --- Directive page ----------------------------------------------------------------------------


@dataclass
class ActionPanel:
    name: str
    title: str
    form: Any
    url: str
    submit: str
    open: bool = False
    error: str = ""
    subject: str = ""  # read by screen readers after the title: which obligation a "Mark met" is for


ACTION_TITLES = {
    "record": ("Record what happened", "Record"),
    "status": ("Change status", "Change status"),
    "access": ("Record an access change", "Record access change"),
    "statement": ("Publish the company's statement", "Publish statement"),
    "correction": ("Add a correction", "Add correction"),
}


def _action_forms(
    request: HttpRequest, directive: Directive, page: DirectivePage, when: dt.datetime
) -> dict[str, Any]:
    user = request.user
    forms: dict[str, Any] = {}
    kwargs: dict[str, Any] = {"directive": directive, "now": when}
    if can(user, Action.RECORD_ACTION, directive):
        forms["record"] = RecordActionForm(auto_id=auto_id("record"), **kwargs)
    if can(user, Action.EDIT_DIRECTIVE, directive) and page.allowed_statuses:
        forms["status"] = DirectiveStatusForm(auto_id=auto_id("status"), **kwargs)
    if can(user, Action.RECORD_ACCESS_CHANGE, directive) and page.products:
        forms["access"] = AccessChangeForm(auto_id=auto_id("access"), **kwargs)
    if can(user, Action.RECORD_ACTION, directive):
        forms["statement"] = StatementForm(auto_id=auto_id("statement"), **kwargs)
        selected = request.GET.get("correct") or request.POST.get("entry")
        forms["correction"] = _correction_form(directive, page, when, selected)
    return forms


def _correction_form(
    directive: Directive, page: DirectivePage, when: dt.datetime, selected: Any = None, data: Any = None
) -> CorrectionForm:
    # The entries the page shows (the latest ones), and the one chosen with "Correct" on the full timeline
    # page (?correct=) or in the form being re-shown, when it is older than those.
    entries = [row.entry for row in page.timeline] + [c for row in page.timeline for c in row.corrections]
    if selected and str(selected).isdigit() and int(selected) not in {e.pk for e in entries}:
        older = entry_on(directive.pk, int(selected))
        entries += [older] if older is not None else []
    return CorrectionForm(
        data,
        directive=directive,
        now=when,
        entries=sorted(entries, key=lambda e: e.seq),
        initial={"entry": selected} if selected else None,
        auto_id=auto_id("correction"),
    )


def _panels(
    forms: dict[str, Any], directive: Directive, opened: str = "", error: str = ""
) -> list[ActionPanel]:
    panels = []
    for name, form in forms.items():
        title, submit = ACTION_TITLES[name]
        panels.append(
            ActionPanel(
                name=name,
                title=title,
                form=form,
                url=reverse("directive_action", args=[directive.pk, name]),
                submit=submit,
                open=name == opened,
                error=error if name == opened else "",
            )
        )
    return panels


# The directive page shows at most this many tasks (active first, soonest due) and timeline entries (the
# latest), with the totals and links to the task list and the full timeline: its cost does not grow with
# the directive's history (issue 7). The report shows everything.
PAGE_TASKS = 50
PAGE_ENTRIES = 50


def _page_context(request: HttpRequest, directive_pk: int, when: dt.datetime, **extra: Any) -> dict[str, Any]:
    page = directive_page(directive_pk, now=when, task_limit=PAGE_TASKS, timeline_limit=PAGE_ENTRIES)
    directive = page.directive
    forms = _action_forms(request, directive, page, when)
    opened = extra.pop("opened", "") or ("correction" if request.GET.get("correct") else "")
    can_manage = can(request.user, Action.MANAGE_OBLIGATIONS, directive)
    return {
        "page": page,
        "directive": directive,
        "obligation_rows": [
            (row, obligation_forms(row.obligation, directive, when) if can_manage else [])
            for row in page.obligations
        ],
        "zone": directive.authority.time_zone,
        "panels": _panels(forms, directive, opened=opened),
        "can_manage_obligations": can_manage,
        "can_correct": can(request.user, Action.RECORD_ACTION, directive),
        "now": when,
        **extra,
    }


@login_required
@answers_domain_errors
@require_GET
def directive_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    get_directive(pk)
    return render(request, "directives/detail.html", _page_context(request, pk, now()))


ActionHandler = Callable[[HttpRequest, Directive, Any, dt.datetime], str]


def _do_record(request: HttpRequest, directive: Directive, form: Any, when: dt.datetime) -> str:
    entry = directive_services.record_action(
        directive=directive,
        kind=form.cleaned_data["kind"],
        summary=form.cleaned_data["summary"],
        occurred_at=form.cleaned_data["occurred_at"],
        actor=request.user,
        now=when,
    )
    return f"Recorded #{entry.seq}: {entry.get_kind_display()} at {instants.iso_pair(entry.occurred_at, directive.authority)}."


def _do_status(request: HttpRequest, directive: Directive, form: Any, when: dt.datetime) -> str:
    directive_services.transition_directive(
        directive=directive,
        to_status=form.cleaned_data["to_status"],
        occurred_at=form.cleaned_data["occurred_at"],
        note=form.cleaned_data["note"],
        expected_version=form.cleaned_data["version"],
        actor=request.user,
        now=when,
    )
    return f"Status is now {DirectiveStatus(directive.status).label}."


def _do_access(request: HttpRequest, directive: Directive, form: Any, when: dt.datetime) -> str:
    data = form.cleaned_data
    product_services.record_access_change(
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
    return f"{data['product']}: access {data['state']} for {names} as of {instants.iso_pair(data['occurred_at'], directive.authority)}."


def _do_statement(request: HttpRequest, directive: Directive, form: Any, when: dt.datetime) -> str:
    data = form.cleaned_data
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


def _do_correction(request: HttpRequest, directive: Directive, form: Any, when: dt.datetime) -> str:
    data = form.cleaned_data
    entry = directive_services.add_correction(
        entry=data["entry_obj"],
        summary=data["summary"],
        occurred_at=data.get("occurred_at"),
        actor=request.user,
        now=when,
    )
    return f"Correction #{entry.seq} added beside entry #{data['entry_obj'].seq}."


ACTIONS: dict[str, tuple[type, Action, ActionHandler]] = {
    "record": (RecordActionForm, Action.RECORD_ACTION, _do_record),
    "status": (DirectiveStatusForm, Action.EDIT_DIRECTIVE, _do_status),
    "access": (AccessChangeForm, Action.RECORD_ACCESS_CHANGE, _do_access),
    "statement": (StatementForm, Action.RECORD_ACTION, _do_statement),
    "correction": (CorrectionForm, Action.RECORD_ACTION, _do_correction),
}


@login_required
@answers_domain_errors
@require_POST
def directive_action_view(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in ACTIONS:
        raise Http404("No such action.")
    form_class, action, handler = ACTIONS[name]
    directive = get_directive(pk)
    require_view(request, action, directive)
    when = now()
    form = form_class(request.POST, directive=directive, now=when, auto_id=auto_id(name))
    error = ""
    status = 400
    if form.is_valid():
        try:
            message = handler(request, directive, form, when)
        except DomainError as exc:
            error, status = exc.message, exc.status_code
            if exc.field and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
        else:
            return _after_success(request, pk, message, when)
    else:
        error = "Check the highlighted fields."
    return _after_error(request, pk, name, form, error, status, when)


def _after_success(request: HttpRequest, pk: int, message: str, when: dt.datetime) -> HttpResponse:
    if is_htmx(request):
        context = _page_context(request, pk, when, flash=message)
        return render(request, "directives/detail.html#detail", context)
    messages.success(request, message)
    return HttpResponseRedirect(reverse("directive_detail", args=[pk]))


def _after_error(
    request: HttpRequest,
    pk: int,
    name: str,
    form: Any,
    error: str,
    status: int,
    when: dt.datetime,
    *,
    target: str = "",
) -> HttpResponse:
    context = _page_context(request, pk, when, opened=name)
    panel = next((p for p in context["panels"] if p.name == name), None)
    if panel is None:  # obligation forms are not panels
        panel = ActionPanel(
            name=name, title="", form=form, url=request.path, submit="Save", open=True, error=error
        )
    else:
        if name == "correction":
            form.fields["entry"].widget = panel.form.fields["entry"].widget
        panel.form, panel.error, panel.open = form, error, True
    if is_htmx(request):
        response = render(
            request, "directives/detail.html#action-panel", {**context, "panel": panel}, status=status
        )
        retarget(response, f"#action-{panel.name}")
        return reswap(response, "outerHTML")
    return render(request, "directives/detail.html", {**context, "error": error}, status=status)


# --- Obligations -------------------------------------------------------------------------------


@login_required
@answers_domain_errors
@require_POST
def obligation_action_view(request: HttpRequest, pk: int, obligation_pk: int, name: str) -> HttpResponse:
    directive = get_directive(pk)
    require_view(request, Action.MANAGE_OBLIGATIONS, directive)
    when = now()
    form: ObligationMetForm | ObligationWaiveForm
    if name == "met":
        form = ObligationMetForm(
            request.POST, directive=directive, now=when, auto_id=auto_id(f"ob{obligation_pk}-met")
        )
    elif name == "waive":
        form = ObligationWaiveForm(
            request.POST, directive=directive, now=when, auto_id=auto_id(f"ob{obligation_pk}-waive")
        )
    else:
        raise Http404("No such action.")
    error, status = "Check the highlighted fields.", 400
    if form.is_valid():
        obligation = form.cleaned_data["obligation_obj"]
        if obligation.pk != obligation_pk:
            raise Http404("No such obligation.")
        try:
            if name == "met":
                obligation_services.mark_obligation_met(
                    obligation=obligation,
                    met_at=form.cleaned_data["occurred_at"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data.get("version"),
                    actor=request.user,
                    now=when,
                )
                message = f"Obligation met: {obligation.title} at {instants.iso_pair(form.cleaned_data['occurred_at'], directive.authority)}."
            else:
                obligation_services.waive_obligation(
                    obligation=obligation,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data.get("version"),
                    actor=request.user,
                    now=when,
                )
                message = f"Obligation waived: {obligation.title}."
        except DomainError as exc:
            error, status = exc.message, exc.status_code
        else:
            return _after_success(request, pk, message, when)
    context = _page_context(request, pk, when)
    target = f"obligation-{obligation_pk}-{name}"
    label = "Mark met" if name == "met" else "Waive"
    obligation_obj = form.cleaned_data.get("obligation_obj") if hasattr(form, "cleaned_data") else None
    panel = ActionPanel(
        name=target,
        title=label,
        form=form,
        url=request.path,
        submit=label,
        open=True,
        error=error,
        subject=obligation_obj.title if obligation_obj is not None else "",
    )
    if is_htmx(request):
        response = render(
            request, "directives/detail.html#action-panel", {**context, "panel": panel}, status=status
        )
        retarget(response, f"#action-{target}")
        return reswap(response, "outerHTML")
    return render(request, "directives/detail.html", {**context, "error": error}, status=status)


def obligation_forms(obligation: Any, directive: Directive, when: dt.datetime) -> list[ActionPanel]:
    """The met/waive forms beside an open or missed obligation."""
    if obligation.status not in (ObligationStatus.OPEN, ObligationStatus.MISSED):
        return []
    initial = {"obligation": obligation.pk, "version": obligation.version}
    return [
        ActionPanel(
            name=f"obligation-{obligation.pk}-met",
            title="Mark met",
            form=ObligationMetForm(
                directive=directive, now=when, initial=initial, auto_id=auto_id(f"ob{obligation.pk}-met")
            ),
            url=reverse("obligation_action", args=[directive.pk, obligation.pk, "met"]),
            submit="Mark met",
            subject=obligation.title,
        ),
        ActionPanel(
            name=f"obligation-{obligation.pk}-waive",
            title="Waive",
            form=ObligationWaiveForm(
                directive=directive, now=when, initial=initial, auto_id=auto_id(f"ob{obligation.pk}-waive")
            ),
            url=reverse("obligation_action", args=[directive.pk, obligation.pk, "waive"]),
            submit="Waive",
            subject=obligation.title,
        ),
    ]


urlpatterns = [
    path("directives/", directive_list_view, name="directive_list"),
    path("directives/new/", directive_create_view, name="directive_create"),
    path("directives/new/preview-due/", preview_due_view, name="directive_preview_due"),
    path("directives/<int:pk>/", directive_detail_view, name="directive_detail"),
    path("directives/<int:pk>/actions/<slug:name>/", directive_action_view, name="directive_action"),
    path(
        "directives/<int:pk>/obligations/<int:obligation_pk>/<slug:name>/",
        obligation_action_view,
        name="obligation_action",
    ),
]
