"""Remediation tasks and their evidence: read shapes and the inputs of their actions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import models as dj_models
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers

from ...choices import Priority
from ...errors import DomainError
from ...models import Directive, Evidence, Obligation, Product, RemediationTask
from ...services.common import check_upload
from ..fields import (
    MAX_BIGINT,
    AwareDateTimeField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    StrictURLField,
)
from .base import TASK_MOVE_CHOICES, DocketModelSerializer, VersionedInput
from .intake import _from_form

User = get_user_model()


# --- Tasks --------------------------------------------------------------------------------------


class EvidenceSerializer(DocketModelSerializer):
    class Meta:
        model = Evidence
        fields = [
            "id",
            "task",
            "kind",
            "url",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "added_by",
            "added_at",
        ]
        read_only_fields = fields


class TaskSerializer(DocketModelSerializer):
    """Reads rows of ``rows()``: the assignee's username as a column and the evidence as a plain list in
    the order it was added, so that a page of tasks builds no user instances and no related manager per
    task."""

    # A nested list field, built once per serializer (a method field would build a new
    # EvidenceSerializer for every task).
    evidence = EvidenceSerializer(many=True, read_only=True, source="evidence_in_order")
    assignee_username = serializers.CharField(source="assignee_name", read_only=True, allow_null=True)

    @staticmethod
    def rows() -> dj_models.QuerySet[RemediationTask]:
        return RemediationTask.objects.annotate(
            assignee_name=dj_models.F("assignee__username")
        ).prefetch_related(
            dj_models.Prefetch(
                "evidence", queryset=Evidence.objects.order_by("added_at", "pk"), to_attr="evidence_in_order"
            )
        )

    class Meta:
        model = RemediationTask
        fields = [
            "id",
            "directive",
            "obligation",
            "product",
            "title",
            "description",
            "assignee",
            "assignee_username",
            "priority",
            "due_at",
            "status",
            "escalation_level",
            "next_escalation_at",
            "resolution",
            "resolved_by",
            "resolved_at",
            "verified_by",
            "verified_at",
            "evidence",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


def _users() -> Any:
    return User.objects.filter(is_active=True)


class TaskInput(serializers.Serializer):
    directive = StrictPrimaryKeyRelatedField(queryset=Directive.objects.all())
    obligation = StrictPrimaryKeyRelatedField(
        queryset=Obligation.objects.all(), required=False, allow_null=True, default=None
    )
    product = StrictPrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True, default=None
    )
    title = StrictCharField(max_length=300)
    description = StrictCharField(max_length=50_000, required=False, allow_blank=True, default="")
    assignee = StrictPrimaryKeyRelatedField(queryset=_users(), required=False, allow_null=True, default=None)
    priority = StrictChoiceField(choices=Priority.choices, required=False, default="P2")
    due_at = AwareDateTimeField(required=False, allow_null=True, default=None)
    directive_version = StrictIntegerField(
        min_value=1,
        max_value=MAX_BIGINT,
        required=False,
        allow_null=True,
        default=None,
        help_text="The directive's version you read; a directive changed since gets 409 (optional).",
    )


class TaskEditInput(VersionedInput):
    """The editable fields of a task; send only those to change."""

    title = StrictCharField(max_length=300, required=False)
    description = StrictCharField(max_length=50_000, required=False, allow_blank=True)
    priority = StrictChoiceField(
        choices=Priority.choices,
        required=False,
        help_text="A new priority re-plans the escalation ladder (its steps start again from the first).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"title", "description", "priority"} & attrs.keys():
            raise serializers.ValidationError("Send at least one of title, description, priority.")
        return attrs


class TaskCommentInput(serializers.Serializer):
    text = StrictCharField(max_length=20_000)


class TaskEvidenceLinkInput(VersionedInput):
    """A link to the evidence (JSON), at any time until the task is verified. ``version`` (or If-Match) is
    optional here: when sent, a task changed since is a 409."""

    url = StrictURLField(max_length=2000, help_text="A link to the evidence (http or https)")
    description = StrictCharField(max_length=300, required=False, allow_blank=True, default="")


class TaskEvidenceInput(TaskEvidenceLinkInput):
    """A link or a file, one of the two (``multipart/form-data``), at any time until the task is verified.
    ``version`` (or If-Match) is optional here: when sent, a task changed since is a 409."""

    url = StrictURLField(max_length=2000, required=False, help_text="A link to the evidence (http or https)")
    file = serializers.FileField(
        max_length=255,
        required=False,
        help_text="A file (multipart/form-data only): PDF, PNG, JPEG, text, CSV, JSON or Word; its SHA-256 "
        "is recorded.",
    )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, MultiValueDict):
            data = _from_form(self, data)  # a form's version is text
        return super().to_internal_value(data)

    def validate_file(self, value: UploadedFile) -> UploadedFile:
        try:
            check_upload(value)
        except DomainError as exc:
            raise serializers.ValidationError(exc.message) from exc
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("url")) == bool(attrs.get("file")):
            raise serializers.ValidationError({"url": ["Send either a url or a file (one per request)."]})
        return attrs


class TaskDueInput(VersionedInput):
    due_at = AwareDateTimeField(allow_null=True, help_text="The new due instant, or null for none")
    reason = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")


class TaskStatusInput(VersionedInput):
    to_status = StrictChoiceField(
        choices=TASK_MOVE_CHOICES,
        help_text="open, in_progress or blocked (resolve and verify have their own endpoints)",
    )
    note = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")


class TaskResolveInput(VersionedInput):
    resolution = StrictCharField(max_length=50_000)
    evidence_links = serializers.ListField(
        child=StrictURLField(max_length=2000), required=False, default=list, max_length=20
    )


class TaskVerifyInput(VersionedInput):
    note = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")


class TaskReassignInput(VersionedInput):
    assignee = StrictPrimaryKeyRelatedField(queryset=_users(), allow_null=True)
