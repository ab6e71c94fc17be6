"""What every serializer of the API shares: the read shapes' base (strict fields, planned lists), the one
error shape, the version a versioned write carries, and the subsets of choices some inputs offer."""

from __future__ import annotations

from typing import Any

from django.db import models as dj_models
from rest_framework import serializers

from ...choices import RECORDABLE_KINDS, TaskStatus
from ..fields import MAX_BIGINT, AwareDateTimeField, StrictCharField, StrictIntegerField
from ..planned import PlannedListSerializer

# Subsets of choices offered by some inputs (named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
RECORDABLE_KIND_CHOICES = [(k.value, k.label) for k in RECORDABLE_KINDS]
TASK_MOVE_CHOICES = [
    (s.value, s.label) for s in TaskStatus if s not in (TaskStatus.RESOLVED, TaskStatus.VERIFIED)
]


class DocketModelSerializer(serializers.ModelSerializer):
    """Read shapes use the strict fields too, so request and response components agree. A list of them
    (``many=True``: list pages, nested lists) is written by ``PlannedListSerializer``: the same JSON as
    DRF's, planned once per list (directives/api/planned.py)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        dj_models.CharField: StrictCharField,
        dj_models.TextField: StrictCharField,
        dj_models.DateTimeField: AwareDateTimeField,
    }

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        if meta is not None and "list_serializer_class" not in vars(meta):
            meta.list_serializer_class = PlannedListSerializer


# --- Errors (documentation of the one error shape) ---------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence a person understands.")
    code = serializers.CharField(help_text="Machine-readable: invalid, not_allowed, stale_version, ...")
    field = serializers.CharField(allow_null=True, help_text="The input field at fault, if one is.")
    errors = serializers.JSONField(  # type: ignore[assignment]  # a field named like the property
        required=False, help_text="Every validation error, by field."
    )
    current_version = serializers.IntegerField(required=False, allow_null=True, help_text="On stale_version.")
    current = serializers.JSONField(
        required=False, allow_null=True, help_text="On stale_version: the record now."
    )


class VersionedInput(serializers.Serializer):
    version = StrictIntegerField(
        min_value=1,
        max_value=MAX_BIGINT,
        required=False,
        help_text="The version you read; or send it as If-Match. A stale one gets 409 with the current state.",
    )
