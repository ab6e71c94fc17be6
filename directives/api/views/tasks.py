"""Remediation tasks: list, read, create, and every action on one."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from compliance.uploads import DocketMultiPartParser

from ...models import RemediationTask, TimelineEntry
from ...permissions import Action
from ...selectors.tasks import TASK_SEARCH_FIELDS, TASK_SORTS, search_tasks
from ...services import tasks as task_services
from .. import filters
from .. import serializers as s
from .base import DocketViewSet, V, now

# --- Tasks --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List remediation tasks"),
    retrieve=extend_schema(summary="One remediation task"),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = s.TaskSerializer.rows()
    serializer_class = s.TaskSerializer
    filterset_class = filters.TaskFilter
    search_fields = TASK_SEARCH_FIELDS
    full_text_search = staticmethod(search_tasks)  # the same search as the task list page
    ordering_fields = [*TASK_SORTS, "created_at", "escalation_level", "id"]
    ordering = ["due_at", "id"]
    role_actions = {
        "list": V,
        "retrieve": V,
        "create": Action.CREATE_TASK,
        "partial_update": Action.WORK_TASK,  # object rule: engineers only on tasks assigned to them
        "status": Action.WORK_TASK,  # object rule: engineers only on tasks assigned to them
        "resolve": Action.WORK_TASK,
        "verify": Action.VERIFY_TASK,  # object rule: never the resolver
        "reassign": Action.REASSIGN_TASK,
        "due": Action.REASSIGN_TASK,
        "comment": Action.COMMENT,
        "evidence": Action.WORK_TASK,  # object rule: engineers only on tasks assigned to them
    }
    versioned_actions = ("partial_update", "evidence", "status", "resolve", "verify", "reassign", "due")
    idempotent_actions = ("create", "comment", "evidence")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.render(s.TaskSerializer, self.get_object())

    def _fresh(self, task: RemediationTask) -> RemediationTask:
        fresh: RemediationTask = self.get_queryset().get(pk=task.pk)
        return fresh

    @extend_schema(
        summary="Create a remediation task", request=s.TaskInput, responses={201: s.TaskSerializer}
    )
    def create(self, request: Request) -> Response:
        def perform() -> Response:
            data = self.parse(s.TaskInput)
            task = task_services.create_task(actor=request.user, now=now(), **data)
            return self.render(s.TaskSerializer, self._fresh(task), code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Edit a task's title, description or priority (a new priority re-plans its escalation ladder)",
        request=s.TaskEditInput,
        responses={200: s.TaskSerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()
        data = self.parse(s.TaskEditInput)
        task_services.edit_task(
            task=task,
            title=data.get("title"),
            description=data.get("description"),
            priority=data.get("priority"),
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.TaskSerializer, self._fresh(task))

    @extend_schema(
        summary="Move a task: open, in progress, blocked, or reopen",
        request=s.TaskStatusInput,
        responses={200: s.TaskSerializer},
    )
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()
        data = self.parse(s.TaskStatusInput)
        task_services.change_task_status(
            task=task,
            to_status=data["to_status"],
            note=data["note"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.TaskSerializer, self._fresh(task))

    @extend_schema(
        summary="Resolve a task with its resolution and evidence links",
        request=s.TaskResolveInput,
        responses={200: s.TaskSerializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()
        data = self.parse(s.TaskResolveInput)
        task_services.resolve_task(
            task=task,
            resolution=data["resolution"],
            evidence_links=data["evidence_links"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.TaskSerializer, self._fresh(task))

    @extend_schema(
        summary="Verify a resolved task (a second person, never the resolver)",
        request=s.TaskVerifyInput,
        responses={200: s.TaskSerializer},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()
        data = self.parse(s.TaskVerifyInput)
        task_services.verify_task(
            task=task,
            note=data["note"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.TaskSerializer, self._fresh(task))

    @extend_schema(
        summary="Reassign a task (null: unassign)",
        request=s.TaskReassignInput,
        responses={200: s.TaskSerializer},
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()
        data = self.parse(s.TaskReassignInput)
        task_services.reassign_task(
            task=task,
            assignee=data["assignee"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.TaskSerializer, self._fresh(task))

    @extend_schema(
        summary="Move the task's due instant (restarts its escalation ladder)",
        request=s.TaskDueInput,
        responses={200: s.TaskSerializer},
    )
    @action(detail=True, methods=["post"])
    def due(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()
        data = self.parse(s.TaskDueInput)
        task_services.change_task_due(
            task=task,
            due_at=data["due_at"],
            reason=data["reason"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=now(),
        )
        return self.render(s.TaskSerializer, self._fresh(task))

    @extend_schema(
        summary="Comment on a task", request=s.TaskCommentInput, responses={201: s.TimelineEntrySerializer}
    )
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()

        def perform() -> Response:
            data = self.parse(s.TaskCommentInput)
            with transaction.atomic():  # the chain lock is held until the entry is read back
                task_services.comment_on_task(task=task, text=data["text"], actor=request.user, now=now())
                entry = TimelineEntry.objects.filter(directive_id=task.directive_id).order_by("-seq").first()
            return self.render(s.TimelineEntrySerializer, entry, code=201)

        return self.create_response(perform)

    def get_parsers(self) -> list[BaseParser]:
        """Evidence also comes as ``multipart/form-data``, for a file."""
        if getattr(self, "action_map", {}).get("post") == "evidence":
            return [*super().get_parsers(), DocketMultiPartParser()]
        return super().get_parsers()

    @extend_schema(
        summary="Attach evidence to a task at any time until it is verified: a link (JSON) or a file "
        "(multipart/form-data, its SHA-256 recorded)",
        request={"application/json": s.TaskEvidenceLinkInput, "multipart/form-data": s.TaskEvidenceInput},
        responses={201: s.EvidenceSerializer},
    )
    @action(detail=True, methods=["post"])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()

        def perform() -> Response:
            multipart = request.content_type.startswith("multipart/form-data")
            data = self.parse(s.TaskEvidenceInput if multipart else s.TaskEvidenceLinkInput)
            sent = data.get("version") is not None or "If-Match" in request.headers
            item = task_services.add_evidence(
                task=task,
                url=data.get("url", ""),
                upload=data.get("file"),
                description=data["description"],
                expected_version=self.expected_version(data) if sent else None,
                actor=request.user,
                now=now(),
            )
            return self.render(s.EvidenceSerializer, item, code=201)

        return self.create_response(perform)
