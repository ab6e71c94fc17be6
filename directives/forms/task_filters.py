"""The task list's filters, read from the query string: the same names and values as the API's task list
(``search``, ``status``, ``priority``, ``assignee``, ``directive``, ``product``, ``overdue``, ``escalated``,
``ordering``), so that a page's URL and an API query say the same thing."""

from __future__ import annotations

from typing import Any

from django import forms

from ..choices import Priority, TaskStatus
from ..selectors.tasks import TASK_SORTS, TaskFilters, filter_choices
from .fields import choice_field


def _sort_choices() -> list[tuple[str, str]]:
    options = [("", "Most urgent first")]
    for key, label in TASK_SORTS.items():
        options += [(key, f"{label}, ascending"), (f"-{key}", f"{label}, descending")]
    return options


class TaskFilterForm(forms.Form):
    search = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        help_text="Words in the title, description, resolution, directive or product.",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. guardrail Fable"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *TaskStatus.choices])
    priority = forms.ChoiceField(required=False, choices=[("", "Any priority"), *Priority.choices])
    directive = forms.ChoiceField(required=False, label="Directive")
    product = forms.ChoiceField(required=False, label="Product")
    assignee = forms.ChoiceField(required=False)
    overdue = forms.BooleanField(required=False, label="Overdue only")
    escalated = forms.BooleanField(required=False, label="Escalated only")
    ordering = forms.ChoiceField(required=False, label="Sort by", choices=_sort_choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = filter_choices()
        choice_field(self, "directive").choices = [("", "Any directive"), *options["directives"]]
        choice_field(self, "product").choices = [("", "Any product"), *options["products"]]
        choice_field(self, "assignee").choices = [
            ("", "Anyone"),
            ("me", "Me"),
            ("none", "Unassigned"),
            *options["assignees"],
        ]

    def filters(self) -> TaskFilters:
        """The valid filters (a value the form refuses is shown as an error and filters nothing)."""
        self.is_valid()
        d = getattr(self, "cleaned_data", {})
        return TaskFilters(
            search=d.get("search") or "",
            status=d.get("status") or "",
            priority=d.get("priority") or "",
            directive=int(d["directive"]) if d.get("directive") else None,
            product=int(d["product"]) if d.get("product") else None,
            assignee=d.get("assignee") or "",
            overdue=bool(d.get("overdue")),
            escalated=bool(d.get("escalated")),
            ordering=d.get("ordering") or "",
        )
