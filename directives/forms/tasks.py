"""Forms of the task page's actions. Several share field names, so each form's ids carry its action's
name; every versioned one carries the task's ``version`` (optimistic concurrency) and a signed snapshot of
what the user saw (``snapshot``), which the page reads back when the service answers that the task
changed meanwhile."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from .. import instants, states
from ..choices import Priority, TaskStatus
from ..models import RemediationTask
from ..selectors.tasks import assignable_users
from ..services.common import is_web_address
from .fields import MultipleFileField, WindowDateTimeField, choice_field


class TaskActionForm(forms.Form):
    """A form of the task page; several share field names, so ids carry the action's name."""

    action = "action"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)

    def hidden_errors(self) -> list[str]:
        """Errors on hidden fields (a tampered or truncated form), which no widget would show."""
        return [f"{f.name}: {' '.join(str(e) for e in f.errors)}" for f in self.hidden_fields() if f.errors]


class VersionedForm(TaskActionForm):
    """Carries the version the user saw and a signed snapshot of the values on screen."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, task: RemediationTask, **kwargs: Any) -> None:
        self.task = task
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", task.version)
        super().__init__(*args, **kwargs)


class TaskStatusForm(VersionedForm):
    action = "status"
    to_status = forms.ChoiceField(label="Move to")
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, task: RemediationTask, **kwargs: Any) -> None:
        super().__init__(*args, task=task, **kwargs)
        choice_field(self, "to_status").choices = [(s.value, s.label) for s in status_moves(task)]


class EditTaskForm(VersionedForm):
    """Title, description and priority; a priority change re-plans the escalation ladder."""

    action = "edit"
    title = forms.CharField(label="Title", max_length=300)
    description = forms.CharField(
        label="Description", required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    priority = forms.ChoiceField(
        label="Priority",
        choices=Priority.choices,
        help_text="A new priority re-plans the escalation ladder: its steps start again from the first.",
    )

    def __init__(self, *args: Any, task: RemediationTask, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        for name in ("title", "description", "priority"):
            initial.setdefault(name, getattr(task, name))
        super().__init__(*args, task=task, **kwargs)


class CommentForm(TaskActionForm):
    action = "comment"
    text = forms.CharField(label="Comment", max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceFields(VersionedForm):
    """Links (one per line) and files, each file's SHA-256 recorded; shared by resolving and attaching."""

    labels: ClassVar[dict[str, str]] = {}  # a form's own labels for these fields

    evidence_links = forms.CharField(
        label="Evidence links (one per line)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="http(s) links to tickets, dashboards, commits.",
    )
    evidence_files = MultipleFileField(
        label="Evidence files",
        required=False,
        help_text="PDF, PNG, JPEG, text, CSV, JSON or Word; the SHA-256 of each file is recorded.",
    )

    def __init__(self, *args: Any, task: RemediationTask, **kwargs: Any) -> None:
        super().__init__(*args, task=task, **kwargs)
        limit = settings.DOCKET_MAX_UPLOAD_BYTES / 1_048_576
        self.fields["evidence_files"].help_text += f" At most {limit:.0f} MB each."
        self.fields["evidence_files"].widget.attrs["data-file-list"] = f"{self.action}-file-list"
        for name, label in self.labels.items():
            self.fields[name].label = label

    def clean_evidence_links(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("evidence_links", "").splitlines()]
        links = [line for line in lines if line]
        bad = []
        for link in links:
            if not is_web_address(link):
                bad.append(link[:100])
        if bad:
            raise ValidationError("Not a valid http(s) link: " + ", ".join(bad))
        return links


class ResolveForm(EvidenceFields):
    action = "resolve"
    resolution = forms.CharField(
        label="Resolution",
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was done, so that a second person can check it.",
    )
    field_order = ["resolution", "evidence_links", "evidence_files"]


class EvidenceForm(EvidenceFields):
    """Evidence attached while the work goes on, before (or after) resolving, until the task is verified."""

    action = "evidence"
    # Labels of their own: the resolve form's fields share the page.
    labels: ClassVar[dict[str, str]] = {"evidence_links": "Links (one per line)", "evidence_files": "Files"}
    description = forms.CharField(
        label="What it shows (optional)", required=False, max_length=300, help_text="At most 300 characters."
    )


class VerifyForm(VersionedForm):
    action = "verify"
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else str(obj.get_username())


class ReassignForm(VersionedForm):
    action = "reassign"
    assignee = PersonChoiceField(queryset=assignable_users(), required=False, empty_label="Unassigned")

    def __init__(self, *args: Any, task: RemediationTask, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("assignee", task.assignee_id)
        super().__init__(*args, task=task, **kwargs)


class DueForm(VersionedForm):
    action = "due"
    due_at = WindowDateTimeField(
        label="Due",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label="Reason", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, task: RemediationTask, **kwargs: Any) -> None:
        if task.due_at is not None:
            # Naive wall-clock time in the company zone: what the datetime-local input shows and takes.
            local = task.due_at.astimezone(instants.company_zone()).replace(tzinfo=None)
            kwargs.setdefault("initial", {}).setdefault("due_at", local)
        super().__init__(*args, task=task, **kwargs)
        self.fields["due_at"].help_text = (
            f"In {instants.company_zone().key}. Leave empty for no due date. A time in the autumn fall-back hour is "
            "ambiguous: pick a time outside it."
        )


def status_moves(task: RemediationTask) -> list[TaskStatus]:
    """Moves a bare status change may make (resolve and verify have their own forms)."""
    targets = states.allowed(states.TASK_TRANSITIONS, TaskStatus(task.status)) - states.TASK_GUARDED_TARGETS
    order = list(TaskStatus)
    return sorted(targets, key=order.index)


# The forms of the task page, by the action each posts to (tasks/<pk>/<action>/).
TASK_ACTION_FORMS: dict[str, type[forms.Form]] = {
    "edit": EditTaskForm,
    "status": TaskStatusForm,
    "comment": CommentForm,
    "evidence": EvidenceForm,
    "resolve": ResolveForm,
    "verify": VerifyForm,
    "reassign": ReassignForm,
    "due": DueForm,
}
