"""The task list's filters, read from the query string."""

from __future__ import annotations

from typing import Any

from django import forms

from ..choices import Priority, TaskStatus
from ..selectors.tasks import TaskFilters, filter_choices
from .fields import choice_field


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *TaskStatus.choices])
    priority = forms.ChoiceField(required=False, choices=[("", "Any priority"), *Priority.choices])
    directive = forms.ChoiceField(required=False, label="Directive")
    assignee = forms.ChoiceField(required=False)
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = filter_choices()
        choice_field(self, "directive").choices = [("", "Any directive"), *options["directives"]]
        choice_field(self, "assignee").choices = [
            ("", "Anyone"),
            ("me", "Me"),
            ("none", "Unassigned"),
            *options["assignees"],
        ]

    def filters(self) -> TaskFilters:
        if not self.is_valid():
            return TaskFilters()
        d = self.cleaned_data
        return TaskFilters(
            status=d.get("status") or "",
            priority=d.get("priority") or "",
            directive=int(d["directive"]) if d.get("directive") else None,
            assignee=d.get("assignee") or "",
            overdue=bool(d.get("overdue")),
        )
