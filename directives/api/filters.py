"""django-filter FilterSets for every list. Datetime filters refuse a naive time like the inputs do."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters as drf_filters
from rest_framework import serializers
from rest_framework.request import Request

from ..choices import (
    DeadlineRule,
    DirectiveKind,
    DirectiveStatus,
    EntryKind,
    ObligationStatus,
    Posture,
    Priority,
    TaskStatus,
)
from ..models import (
    Authority,
    Directive,
    Escalation,
    Notification,
    Obligation,
    Product,
    RemediationTask,
    TimelineEntry,
    WebhookEndpoint,
)
from ..models.notifications import NotificationChannel, NotificationStatus, WebhookEvent
from ..selectors import tasks as task_selectors


class AwareDateTimeFormField(forms.DateTimeField):
    default_error_messages = {
        "invalid": "Enter an ISO 8601 date-time with a UTC offset, e.g. 2026-11-27T17:21:00-05:00.",
        "naive": "This date-time has no time zone: add a UTC offset, e.g. 2026-11-27T17:21:00-05:00 (naive times "
        "are not accepted).",
        "out_of_range": "This date-time is outside the range of supported dates.",
    }

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            parsed: dt.datetime | None = value
        else:
            try:
                parsed = parse_datetime(str(value).strip())
            except ValueError:
                parsed = None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            raise forms.ValidationError(self.error_messages["naive"], code="naive")
        try:
            return parsed.astimezone(dt.UTC)  # PostgreSQL refuses offsets beyond +/-15:59
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range") from exc


# RFC 3339, which the schema's ``format: date-time`` means: a "T", seconds, and an offset or "Z".
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$")


class RFC3339DateTimeFormField(AwareDateTimeFormField):
    def to_python(self, value: Any) -> dt.datetime | None:
        parsed = super().to_python(value)  # a naive time is refused as such first
        if isinstance(value, str) and parsed is not None and not RFC3339.match(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class StrictBooleanField(forms.Field):
    """``true`` or ``false`` (what the schema's boolean means in a query string); anything else is a 400,
    not silently "no filter"."""

    def to_python(self, value: Any) -> bool | None:
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        if text not in ("true", "false"):
            raise forms.ValidationError("Must be true or false.", code="invalid")
        return text == "true"


@extend_schema_field({"type": "boolean"})
class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class AwareDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = RFC3339DateTimeFormField


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 2**31 - 1})
class BoundedNumberFilter(django_filters.NumberFilter):
    """An integer filter whose values fit in a database integer."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(BoundedNumberFilter):
    """A related record by its id: the rows that point to it, none for an id no row has (a filter narrows
    a list; it does not check that the record exists)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^(|me|none|[0-9]{1,9})$"})
class AssigneeFilter(django_filters.CharFilter):
    """``me``, ``none`` or a user id (``""``: no filter); anything else is a 400."""


def _choice(choices: Any) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(choices=choices)


class SearchFilter(drf_filters.SearchFilter):
    """DRF's search, refusing what no database query can hold (a NUL character) with a 400. A view with a
    ``full_text_search(queryset, text)`` uses it instead of ``search_fields`` (the directives: the same
    search as the pages, ``selectors.search``)."""

    def get_search_terms(self, request: Request) -> list[str]:
        raw = request.query_params.get(self.search_param, "")
        if "\x00" in raw:
            raise serializers.ValidationError({self.search_param: ["The search contains a NUL character."]})
        return list(super().get_search_terms(request))

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = list(super().get_schema_operation_parameters(view))
        for param in params:
            if param["name"] == self.search_param:
                param["schema"] = {"type": "string", "pattern": "^[^\\x00]*$"}  # no NUL (a 400)
        return params

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        full_text = getattr(view, "full_text_search", None)
        if full_text is None:
            return super().filter_queryset(request, queryset, view)
        terms = self.get_search_terms(request)
        return full_text(queryset, " ".join(terms)) if terms else queryset


class AuthorityFilter(django_filters.FilterSet):
    jurisdiction = django_filters.CharFilter(lookup_expr="icontains")
    calendar_country = django_filters.CharFilter()

    class Meta:
        model = Authority
        fields = ["jurisdiction", "calendar_country"]


class ProductFilter(django_filters.FilterSet):
    owner_team = django_filters.CharFilter(lookup_expr="icontains")
    directive = IdFilter(field_name="directive_links__directive", distinct=True)

    class Meta:
        model = Product
        fields = ["owner_team", "directive"]


class DirectiveFilter(django_filters.FilterSet):
    authority = IdFilter()
    status = _choice(DirectiveStatus.choices)
    kind = _choice(DirectiveKind.choices)
    posture = _choice(Posture.choices)
    product = IdFilter(field_name="product_links__product", distinct=True)
    received_after = AwareDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = AwareDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Directive
        fields = ["authority", "status", "kind", "posture", "product"]


class ObligationFilter(django_filters.FilterSet):
    directive = IdFilter()
    status = _choice(ObligationStatus.choices)
    deadline_rule = _choice(DeadlineRule.choices)
    due_after = AwareDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = AwareDateTimeFilter(field_name="due_at", lookup_expr="lt")
    escalation_level = BoundedNumberFilter()

    class Meta:
        model = Obligation
        fields = ["directive", "status", "deadline_rule", "escalation_level"]


class TaskFilter(django_filters.FilterSet):
    """The task page's filters under the same names and values (``search`` and ``ordering`` are the
    backends' own, over the same fields), and a few more for scripts."""

    directive = IdFilter()
    obligation = IdFilter()
    product = IdFilter()
    assignee = AssigneeFilter(method="filter_assignee", help_text="A user id, me, or none (unassigned)")
    status = _choice(TaskStatus.choices)
    priority = _choice(Priority.choices)
    escalation_level = BoundedNumberFilter()
    due_after = AwareDateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = AwareDateTimeFilter(field_name="due_at", lookup_expr="lt")
    mine = BooleanFilter(method="filter_mine", help_text="Only tasks assigned to me")
    overdue = BooleanFilter(
        method="filter_overdue", help_text="Active tasks whose due instant has passed (true), or the others"
    )
    escalated = BooleanFilter(
        method="filter_escalated", help_text="Active tasks whose escalation has started (true), or the others"
    )

    class Meta:
        model = RemediationTask
        fields = ["directive", "obligation", "product", "status", "priority", "escalation_level"]

    def filter_assignee(self, queryset: Any, name: str, value: str) -> Any:
        if not value:
            return queryset
        condition = task_selectors.assignee_q(value, getattr(self.request, "user", None))
        if condition is None:
            raise serializers.ValidationError({"assignee": ["A user id, me, or none."]})
        return queryset.filter(condition)

    def filter_mine(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        user = getattr(self.request, "user", None)
        mine = queryset.filter(assignee_id=getattr(user, "pk", None))
        return mine if value else queryset.exclude(pk__in=mine.values("pk"))

    def filter_overdue(self, queryset: Any, name: str, value: bool | None) -> Any:
        return _either(queryset, task_selectors.overdue_tasks_q(timezone.now()), value)

    def filter_escalated(self, queryset: Any, name: str, value: bool | None) -> Any:
        return _either(queryset, task_selectors.escalated_q(), value)


def _either(queryset: Any, condition: Q, value: bool | None) -> Any:
    if value is None:
        return queryset
    return queryset.filter(condition) if value else queryset.exclude(condition)


class TimelineFilter(django_filters.FilterSet):
    kind = _choice(EntryKind.choices)
    task = IdFilter()
    obligation = IdFilter()
    occurred_after = AwareDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = AwareDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = TimelineEntry
        fields = ["kind", "task", "obligation"]


class EscalationFilter(django_filters.FilterSet):
    directive = IdFilter()
    task = IdFilter()
    obligation = IdFilter()
    level = BoundedNumberFilter()
    reminder = BooleanFilter()
    current = BooleanFilter(
        field_name="superseded_at", lookup_expr="isnull", help_text="Only the current ladder (not superseded)"
    )
    fired_after = AwareDateTimeFilter(field_name="fired_at", lookup_expr="gte")
    fired_before = AwareDateTimeFilter(field_name="fired_at", lookup_expr="lt")

    class Meta:
        model = Escalation
        fields = ["directive", "task", "obligation", "level", "reminder"]


class NotificationFilter(django_filters.FilterSet):
    directive = IdFilter()
    task = IdFilter()
    obligation = IdFilter()
    escalation = IdFilter()
    webhook = IdFilter()
    channel = _choice(NotificationChannel.choices)
    event = _choice(WebhookEvent.choices)
    status = _choice(NotificationStatus.choices)
    created_after = AwareDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = AwareDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Notification
        fields = ["directive", "task", "obligation", "escalation", "webhook", "channel", "event", "status"]


class WebhookFilter(django_filters.FilterSet):
    active = BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = ["active"]


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend. It builds the view's filterset and its form for every list request: deep
    copies of every filter and form field, the form's validation, a tenth of an unfiltered list request.
    A request that names none of the filterset's parameters has nothing to filter, and its queryset is
    returned as it is. A parameter counts when its name begins with a filter's name, which also covers
    the suffixed parameters of range filters (``_min``, ``_after``); anything else goes the whole way."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            names = tuple(filterset_class.base_filters)
            if not any(key.startswith(names) for key in request.query_params):
                return queryset
            _refuse_empty(request, filterset_class.base_filters)
        return super().filter_queryset(request, queryset, view)


def _refuse_empty(request: Request, filters: dict[str, Any]) -> None:
    """A filter given with an empty value is a 400 unless it takes text: ``?due_before=`` is not a date-time
    (the schema says so), and "no filter" is the parameter left out."""
    empty = sorted(
        name
        for name, value in request.query_params.items()
        if value == "" and name in filters and not isinstance(filters[name], django_filters.CharFilter)
    )
    if empty:
        raise serializers.ValidationError(
            {name: ["Empty: give a value, or leave the parameter out for no filter."] for name in empty}
        )
