"""A list serializer that writes the same JSON as DRF's, planned once instead of field by field, row by row.

DRF's generic ``Serializer.to_representation`` builds the serializer's fields for every request, then walks
every field of every row through ``get_attribute`` (``source_attrs``, callables, ``PKOnlyObject``) and
``to_representation`` (a ``DateTimeField`` looks the current time zone up again for every value). For the
task list's page of 50 tasks (23 fields and nested evidence) that is a large share of the request
(``bench/serializers.py`` measures it; docs/benchmarks.md has the current figures).

``PlannedListSerializer`` reads the child serializer's fields once and turns each into a plain function of
the row for the field types whose representation is fixed (model columns, foreign keys as their id, strings,
integers, choices, JSON, ISO 8601 instants in the current zone, nested lists of such serializers); any other
field (a method field, a slug, a custom field) goes through DRF's own two calls. A plan made only of plain
functions depends on nothing but the serializer class and the current time zone, and is kept per process
for that pair. The output is the same, key for key and value for value: ``tests/api/test_planned.py``
compares it with DRF's for every read shape of the API, in two time zones. Input (``data=``) is untouched:
validation stays DRF's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.fields import ISO_8601, BigIntegerField, SkipField  # type: ignore[attr-defined]
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

Row = Any
Getter = Callable[[Row], Any]


def _generic(field: drf_fields.Field) -> Getter:
    """DRF's own per-field step (Serializer.to_representation), for fields without a plan."""

    def represent(instance: Row) -> Any:
        attribute = field.get_attribute(instance)
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    represent.generic = True  # type: ignore[attr-defined]  # bound to this serializer (context): not kept
    return represent


def _model_field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _attribute_path(field: drf_fields.Field, model: type[models.Model] | None) -> list[str] | None:
    """The attribute names DRF follows for this field, when each is a model's own field: a column, or a
    foreign key before the last step; or, for a nested list, a reverse relation. Anything else (a method, a
    property, a callable, "*") has no plan: DRF's get_attribute calls callables, and this does not."""
    source_attrs = list(getattr(field, "source_attrs", []) or [])
    if not source_attrs or model is None:
        return None
    if len(source_attrs) == 1 and not hasattr(model, source_attrs[0]):
        # Not a field, method or property of the model class: an attribute the row's queryset sets on
        # each instance, an annotation or the list of Prefetch(..., to_attr=...). Read as it is; a row
        # from a queryset that does not set it raises AttributeError rather than lose the key.
        return source_attrs
    current: type[models.Model] = model
    for i, name in enumerate(source_attrs):
        try:
            found = current._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if i == len(source_attrs) - 1:
            many = bool(found.one_to_many or found.many_to_many)
            concrete = isinstance(found, models.Field) and found.concrete
            wanted = many if isinstance(field, serializers.ListSerializer) else concrete
            return source_attrs if wanted else None
        if not isinstance(found, models.ForeignKey):
            return None
        current = found.related_model  # type: ignore[assignment]
    return None


def _may_stop_early(model: type[models.Model] | None, path: list[str]) -> bool:
    """Whether a foreign key before the last step of ``path`` may be null (checked by _attribute_path)."""
    current = model
    for name in path[:-1]:
        if current is None:
            return True
        found = current._meta.get_field(name)
        if getattr(found, "null", True):
            return True
        current = found.related_model  # type: ignore[assignment]
    return False


def _walk(path: list[str]) -> Getter:
    """getattr along the path; None as soon as a step is None (DRF's null for an allow_null field)."""
    if len(path) == 1:
        name = path[0]
        return lambda row: getattr(row, name)

    def walk(row: Row) -> Any:
        for name in path:
            if row is None:
                return None
            row = getattr(row, name)
        return row

    return walk


def _datetime(field: drf_fields.DateTimeField) -> Callable[[Any], Any] | None:
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if output_format is None or str(output_format).lower() != ISO_8601 or not settings.USE_TZ:
        return None
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if zone is None:
        return None

    rare = type(field)()  # a field of the same kind, bound to nothing: DRF's own rules for the rare cases

    def represent(value: Any) -> Any:
        if not value:
            return None
        if isinstance(value, str) or value.utcoffset() is None:
            return rare.to_representation(value)
        text: str = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return represent


def _formatter(field: drf_fields.Field) -> Callable[[Any], Any] | None:
    """The field's to_representation as a plain function, or None when there is no fixed plan for it."""
    if isinstance(field, drf_fields.DateTimeField):
        return _datetime(field)
    if isinstance(field, drf_fields.ChoiceField):
        lookup = field.choice_strings_to_values

        def choice(value: Any) -> Any:
            return value if value in ("", None) else lookup.get(str(value), value)

        return choice
    if type(field).to_representation is drf_fields.CharField.to_representation:
        return str
    if type(field).to_representation is drf_fields.IntegerField.to_representation:
        return int
    if type(field).to_representation is BigIntegerField.to_representation:
        if getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING):
            return lambda value: str(int(value))
        return int
    if type(field).to_representation is drf_fields.JSONField.to_representation and not getattr(
        field, "binary", True
    ):
        return lambda value: value
    if type(field).to_representation is drf_fields.BooleanField.to_representation:
        return drf_fields.BooleanField().to_representation
    return None


def _plan_field(field: drf_fields.Field, model: type[models.Model] | None) -> Getter:
    path = _attribute_path(field, model)
    if path is None:
        return _generic(field)

    if isinstance(field, serializers.ListSerializer):
        if not isinstance(field.child, serializers.Serializer):
            return _generic(field)
        rows = _plan_rows(field.child)
        get = _walk(path)

        def nested_list(row: Row) -> Any:
            value = get(row)
            if value is None:
                return None
            iterable = value.all() if isinstance(value, models.manager.BaseManager) else value
            return [rows(item) for item in iterable]

        nested_list.generic = rows.generic  # type: ignore[attr-defined]
        return nested_list

    if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is None and len(path) == 1:
        model_field = _model_field(model, path[0])
        if isinstance(model_field, models.ForeignKey) and model_field.target_field.primary_key:
            attname = model_field.attname  # the id column itself: no related object is loaded
            return lambda row: getattr(row, attname)
        return _generic(field)

    formatter = _formatter(field)
    if formatter is None:
        return _generic(field)
    if len(path) > 1 and not field.allow_null and _may_stop_early(model, path):
        return _generic(field)  # DRF raises or skips on a missing step; keep its behaviour
    get = _walk(path)

    def represent(row: Row) -> Any:
        value = get(row)
        return None if value is None else formatter(value)

    return represent


def _plan_rows(serializer: serializers.Serializer) -> Callable[[Row], dict[str, Any]]:
    meta = getattr(serializer, "Meta", None)
    model = getattr(meta, "model", None)
    plan = [
        (name, _plan_field(field, model)) for name, field in serializer.fields.items() if not field.write_only
    ]

    def row_of(instance: Row) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, represent in plan:
            try:
                out[name] = represent(instance)
            except SkipField:
                continue
        return out

    row_of.generic = any(getattr(represent, "generic", False) for _, represent in plan)  # type: ignore[attr-defined]
    return row_of


# Plans with no DRF fallback in them depend only on the serializer class and the current time zone (the
# zone instants are written in): kept per process, so a list request does not build the serializer's
# fields at all. A plan with a fallback holds fields bound to one request's serializer: built per list.
_PLANS: dict[tuple[type[serializers.BaseSerializer], str], Callable[[Row], dict[str, Any]]] = {}


class PlannedListSerializer(serializers.ListSerializer):
    def to_representation(self, data: Any) -> list[Any]:
        iterable: Iterable[Any] = data.all() if isinstance(data, models.manager.BaseManager) else data
        child = self.child
        if not isinstance(child, serializers.Serializer):
            return list(super().to_representation(data))
        key = (type(child), str(timezone.get_current_timezone()) if settings.USE_TZ else "")
        rows = _PLANS.get(key)
        if rows is None:
            rows = _plan_rows(child)
            if not rows.generic:  # type: ignore[attr-defined]
                _PLANS[key] = rows
        return [rows(item) for item in iterable]
