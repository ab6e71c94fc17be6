"""API views: parse the input, call one service, render the result. No business rule lives here."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import (
    Authority,
    Directive,
    DirectiveProduct,
    Escalation,
    Notification,
    Obligation,
    Product,
    ProductAccess,
    RemediationTask,
    TimelineEntry,
    WebhookEndpoint,
)
from ..permissions import ROLE_TABLE, Action, can, roles_of
from ..selectors import snapshot
from ..services import directives as directive_services
from ..services import obligations as obligation_services
from ..services import products as product_services
from ..services import tasks as task_services
from ..services import timeline as timeline_services
from . import filters
from . import serializers as s
from .idempotency import idempotent
from .permissions import ActionSpec, IsStaff, RoleTablePermission
from .throttling import ScopedRateThrottle

V = Action.VIEW
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def _now() -> dt.datetime:
    return timezone.now()


class ThrottleFirst(APIView):
    """Throttle before the permission check, so that anonymous clients hammering the API are slowed
    down too (DRF checks permissions first, and a refused request is never counted)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.format_kwarg = self.get_format_suffix(**kwargs)
        renderer, media_type = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = renderer, media_type
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)


class DocketViewSet(ThrottleFirst, viewsets.GenericViewSet):
    permission_classes = [RoleTablePermission]
    role_actions: ClassVar[dict[str, ActionSpec]] = {"list": V, "retrieve": V}
    idempotent_actions: ClassVar[tuple[str, ...]] = ("create",)
    versioned_actions: ClassVar[tuple[str, ...]] = ()

    def parse(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def expected_version(self, data: dict[str, Any]) -> int:
        """The version the client read: ``version`` in the body or an ``If-Match`` header."""
        body = data.get("version")
        header = self.request.headers.get("If-Match")
        from_header: int | None = None
        if header is not None:
            match = _ETAG.match(header)
            if not match:
                raise serializers.ValidationError(
                    {"If-Match": ['If-Match must be the version number, e.g. "3".']}
                )
            from_header = int(match.group(1))
        if body is not None and from_header is not None and body != from_header:
            raise serializers.ValidationError(
                {"version": [f"version {body} and If-Match {from_header} disagree; send one."]}
            )
        version = body if body is not None else from_header
        if version is None:
            raise serializers.ValidationError(
                {"version": ["Send the version you read (in the body, or as an If-Match header)."]}
            )
        return int(version)

    def render(self, serializer_class: Any, obj: Any, *, code: int = status.HTTP_200_OK) -> Response:
        data = serializer_class(obj, context=self.get_serializer_context()).data
        headers = {"ETag": f'"{obj.version}"'} if hasattr(obj, "version") else None
        return Response(data, status=code, headers=headers)

    def create_response(self, perform: Any) -> Response:
        return idempotent(self.request, perform)


# --- Authorities --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the issuing authorities"),
    retrieve=extend_schema(summary="One authority"),
)
class AuthorityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = Authority.objects.all()
    serializer_class = s.AuthoritySerializer
    filterset_class = filters.AuthorityFilter
    search_fields = ["name", "short_name", "jurisdiction"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]
    role_actions = {"list": V, "retrieve": V, "create": Action.LOG_DIRECTIVE}

    @extend_schema(
        summary="Add an authority", request=s.AuthorityInput, responses={201: s.AuthoritySerializer}
    )
    def create(self, request: Request) -> Response:
        def perform() -> Response:
            data = self.parse(s.AuthorityInput)
            authority = directive_services.create_authority(actor=request.user, **data)
            return self.render(s.AuthoritySerializer, authority, code=status.HTTP_201_CREATED)

        return self.create_response(perform)


# --- Products -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List products with their access state per audience"),
    retrieve=extend_schema(summary="One product with its access state per audience"),
)
class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = Product.objects.prefetch_related(
        Prefetch(
            "access",
            queryset=ProductAccess.objects.select_related("audience").order_by(
                "audience__sort_order", "audience__name"
            ),
        )
    )
    serializer_class = s.ProductSerializer
    filterset_class = filters.ProductFilter
    search_fields = ["name", "description", "owner_team"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]
    role_actions = {
        "list": V,
        "retrieve": V,
        "create": Action.EDIT_DIRECTIVE,
        "access": Action.RECORD_ACCESS_CHANGE,
    }
    idempotent_actions = ("create", "access")

    @extend_schema(summary="Add a product", request=s.ProductInput, responses={201: s.ProductSerializer})
    def create(self, request: Request) -> Response:
        def perform() -> Response:
            data = self.parse(s.ProductInput)
            product = product_services.create_product(actor=request.user, now=_now(), **data)
            return self.render(s.ProductSerializer, self.get_queryset().get(pk=product.pk), code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Record an access change (e.g. suspended for all users at 17:48 ET)",
        request=s.AccessChangeInput,
        responses={201: s.AccessChangeResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def access(self, request: Request, pk: str | None = None) -> Response:
        product = self.get_object()

        def perform() -> Response:
            data = self.parse(s.AccessChangeInput)
            changes = product_services.record_access_change(
                product=product,
                audiences=data["audiences"],
                state=data["state"],
                directive=data["directive"],
                occurred_at=data["occurred_at"],
                reason=data["reason"],
                actor=request.user,
                now=_now(),
            )
            result = {"product": self.get_queryset().get(pk=product.pk), "changes": changes}
            body = s.AccessChangeResultSerializer(result, context=self.get_serializer_context()).data
            return Response(body, status=status.HTTP_201_CREATED)

        return self.create_response(perform)


# --- Directives ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List directives"),
    retrieve=extend_schema(summary="One directive"),
)
class DirectiveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = Directive.objects.select_related("authority").prefetch_related(
        Prefetch("product_links", queryset=DirectiveProduct.objects.select_related("product").order_by("pk"))
    )
    serializer_class = s.DirectiveSerializer
    filterset_class = filters.DirectiveFilter
    search_fields = ["reference", "title", "summary", "authority__name", "authority__short_name"]
    ordering_fields = ["received_at", "created_at", "updated_at", "reference", "status", "id"]
    ordering = ["-received_at", "-id"]
    role_actions = {
        "list": V,
        "retrieve": V,
        "create": Action.LOG_DIRECTIVE,
        "transition": Action.EDIT_DIRECTIVE,
        "verify": V,
        "statement": Action.RECORD_ACTION,
        "corrections": Action.RECORD_ACTION,
        "products": Action.EDIT_DIRECTIVE,
    }
    idempotent_actions = ("create", "statement", "corrections", "products")
    versioned_actions = ("transition",)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.render(s.DirectiveSerializer, self.get_object())

    @extend_schema(
        summary="Log an incoming directive (its receipt becomes timeline entry #1)",
        request=s.DirectiveInput,
        responses={201: s.DirectiveSerializer},
    )
    def create(self, request: Request) -> Response:
        def perform() -> Response:
            data = self.parse(s.DirectiveInput)
            products = [
                directive_services.AffectedProduct(item["product"], item["required_action"])
                for item in data.pop("products")
            ]
            directive = directive_services.log_directive(
                actor=request.user, now=_now(), products=products, **data
            )
            return self.render(s.DirectiveSerializer, self.get_queryset().get(pk=directive.pk), code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Move the directive to another status (optimistic concurrency: send version)",
        request=s.TransitionInput,
        responses={200: s.DirectiveSerializer},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()
        data = self.parse(s.TransitionInput)
        directive_services.transition_directive(
            directive=directive,
            to_status=data["to_status"],
            note=data["note"],
            occurred_at=data["occurred_at"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=_now(),
        )
        return self.render(s.DirectiveSerializer, self.get_queryset().get(pk=directive.pk))

    @extend_schema(
        summary="Publish the company's statement on the directive (optionally setting its posture)",
        request=s.StatementInput,
        responses={201: s.TimelineEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def statement(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()

        def perform() -> Response:
            data = self.parse(s.StatementInput)
            entry = directive_services.publish_statement(
                directive=directive, actor=request.user, now=_now(), **data
            )
            return self.render(s.TimelineEntrySerializer, entry, code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Correct a timeline entry: a new entry that supersedes it (the original stays as it was)",
        request=s.CorrectionInput,
        responses={201: s.TimelineEntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def corrections(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()

        def perform() -> Response:
            data = self.parse(s.CorrectionInput)
            entry = data.pop("supersedes")
            if entry.directive_id != directive.pk:
                raise serializers.ValidationError(
                    {"supersedes": ["That timeline entry belongs to another directive."]}
                )
            correction = directive_services.add_correction(
                entry=entry, actor=request.user, now=_now(), **data
            )
            return self.render(s.TimelineEntrySerializer, correction, code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Name another product affected by the directive, with what it requires of it",
        request=s.AffectedProductAddInput,
        responses={201: s.DirectiveSerializer},
    )
    @action(detail=True, methods=["post"])
    def products(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()

        def perform() -> Response:
            data = self.parse(s.AffectedProductAddInput)
            directive_services.add_affected_product(
                directive=directive, actor=request.user, now=_now(), **data
            )
            return self.render(s.DirectiveSerializer, self.get_queryset().get(pk=directive.pk), code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Verify the directive's hash-chained timeline",
        responses={200: s.ChainReportSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def verify(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()
        report = timeline_services.verify_chain(directive.pk)
        return Response(s.ChainReportSerializer(report).data)


@extend_schema_view(
    list=extend_schema(summary="Read a directive's timeline, in order (the legal record)"),
    create=extend_schema(
        summary="Record what happened and when (an action, acknowledgement, statement, appeal or comment)",
        request=s.RecordActionInput,
        responses={201: s.TimelineEntrySerializer},
    ),
)
class TimelineViewSet(mixins.ListModelMixin, DocketViewSet):
    serializer_class = s.TimelineEntrySerializer
    filterset_class = filters.TimelineFilter
    search_fields = ["summary", "actor_label"]
    ordering_fields = ["seq", "occurred_at", "recorded_at"]
    ordering = ["seq"]
    # A comment needs COMMENT (executives too); every other kind needs RECORD_ACTION: the service decides
    # by kind, the early check lets through whoever may do either.
    role_actions = {"list": V, "create": (Action.RECORD_ACTION, Action.COMMENT)}

    def get_directive(self) -> Directive:
        from django.shortcuts import get_object_or_404

        return get_object_or_404(Directive, pk=self.kwargs["id"])

    def get_queryset(self) -> QuerySet[TimelineEntry]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no directive in the path
            return TimelineEntry.objects.none()
        return TimelineEntry.objects.filter(directive_id=self.kwargs["id"])

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_directive()  # 404 for an unknown directive rather than an empty page
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        directive = self.get_directive()

        def perform() -> Response:
            data = self.parse(s.RecordActionInput)
            entry = directive_services.record_action(
                directive=directive,
                kind=data["kind"],
                summary=data["summary"],
                occurred_at=data["occurred_at"],
                data=data["data"],
                actor=request.user,
                now=_now(),
            )
            return self.render(s.TimelineEntrySerializer, entry, code=201)

        return self.create_response(perform)


# --- Obligations --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List obligations"),
    retrieve=extend_schema(summary="One obligation"),
)
class ObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = Obligation.objects.all()
    serializer_class = s.ObligationSerializer
    filterset_class = filters.ObligationFilter
    search_fields = ["title", "description"]
    ordering_fields = ["due_at", "created_at", "status", "id"]
    ordering = ["due_at", "id"]
    role_actions = {
        "list": V,
        "retrieve": V,
        "create": Action.MANAGE_OBLIGATIONS,
        "met": Action.MANAGE_OBLIGATIONS,
        "waive": Action.MANAGE_OBLIGATIONS,
    }
    versioned_actions = ("met", "waive")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.render(s.ObligationSerializer, self.get_object())

    @extend_schema(
        summary="Add an obligation; its due instant is computed in the authority's zone and calendar",
        request=s.ObligationInput,
        responses={201: s.ObligationSerializer},
    )
    def create(self, request: Request) -> Response:
        def perform() -> Response:
            data = self.parse(s.ObligationInput)
            obligation = obligation_services.add_obligation(actor=request.user, now=_now(), **data)
            return self.render(s.ObligationSerializer, obligation, code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Mark the obligation met",
        request=s.ObligationMetInput,
        responses={200: s.ObligationSerializer},
    )
    @action(detail=True, methods=["post"])
    def met(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        data = self.parse(s.ObligationMetInput)
        obligation_services.mark_obligation_met(
            obligation=obligation,
            met_at=data["met_at"],
            note=data["note"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=_now(),
        )
        return self.render(s.ObligationSerializer, Obligation.objects.get(pk=obligation.pk))

    @extend_schema(
        summary="Waive the obligation",
        request=s.ObligationWaiveInput,
        responses={200: s.ObligationSerializer},
    )
    @action(detail=True, methods=["post"])
    def waive(self, request: Request, pk: str | None = None) -> Response:
        obligation = self.get_object()
        data = self.parse(s.ObligationWaiveInput)
        obligation_services.waive_obligation(
            obligation=obligation,
            reason=data["reason"],
            expected_version=self.expected_version(data),
            actor=request.user,
            now=_now(),
        )
        return self.render(s.ObligationSerializer, Obligation.objects.get(pk=obligation.pk))


# --- Tasks --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List remediation tasks"),
    retrieve=extend_schema(summary="One remediation task"),
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = s.TaskSerializer.rows()
    serializer_class = s.TaskSerializer
    filterset_class = filters.TaskFilter
    search_fields = ["title", "description", "resolution"]
    ordering_fields = ["due_at", "priority", "status", "created_at", "updated_at", "escalation_level", "id"]
    ordering = ["due_at", "id"]
    role_actions = {
        "list": V,
        "retrieve": V,
        "create": Action.CREATE_TASK,
        "status": Action.WORK_TASK,  # object rule: engineers only on tasks assigned to them
        "resolve": Action.WORK_TASK,
        "verify": Action.VERIFY_TASK,  # object rule: never the resolver
        "reassign": Action.REASSIGN_TASK,
        "due": Action.REASSIGN_TASK,
        "comment": Action.COMMENT,
        "evidence": Action.WORK_TASK,  # object rule: engineers only on tasks assigned to them
    }
    versioned_actions = ("status", "resolve", "verify", "reassign", "due")
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
            task = task_services.create_task(actor=request.user, now=_now(), **data)
            return self.render(s.TaskSerializer, self._fresh(task), code=201)

        return self.create_response(perform)

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
            now=_now(),
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
            now=_now(),
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
            now=_now(),
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
            now=_now(),
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
            now=_now(),
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
                task_services.comment_on_task(task=task, text=data["text"], actor=request.user, now=_now())
                entry = TimelineEntry.objects.filter(directive_id=task.directive_id).order_by("-seq").first()
            return self.render(s.TimelineEntrySerializer, entry, code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Add a link as evidence to a task (files: through the task page)",
        request=s.TaskEvidenceInput,
        responses={201: s.EvidenceSerializer},
    )
    @action(detail=True, methods=["post"])
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        task = self.get_object()

        def perform() -> Response:
            data = self.parse(s.TaskEvidenceInput)
            item = task_services.add_evidence(task=task, actor=request.user, now=_now(), **data)
            return self.render(s.EvidenceSerializer, item, code=201)

        return self.create_response(perform)


# --- Escalations, notifications, webhooks -------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Escalations the sweep recorded (filter by task, obligation, directive)"),
    retrieve=extend_schema(summary="One escalation"),
)
class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = Escalation.objects.all()
    serializer_class = s.EscalationSerializer
    filterset_class = filters.EscalationFilter
    search_fields = ["name", "superseded_reason"]
    ordering_fields = ["scheduled_at", "fired_at", "level", "id"]
    ordering = ["scheduled_at", "id"]


@extend_schema_view(
    list=extend_schema(summary="Notifications in the outbox (filter by task, obligation, directive)"),
    retrieve=extend_schema(summary="One notification"),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = Notification.objects.all()
    serializer_class = s.NotificationSerializer
    filterset_class = filters.NotificationFilter
    search_fields = ["recipient", "last_error"]
    ordering_fields = ["created_at", "next_attempt_at", "sent_at", "status", "id"]
    ordering = ["-created_at", "-id"]


@extend_schema_view(
    list=extend_schema(summary="Webhook subscriptions (administrators only)"),
    retrieve=extend_schema(summary="One webhook subscription"),
    create=extend_schema(summary="Subscribe a webhook endpoint"),
    partial_update=extend_schema(summary="Change a webhook subscription (e.g. deactivate it)"),
    destroy=extend_schema(summary="Remove a webhook subscription that has never been used"),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    DocketViewSet,
):
    """Subscriptions are configuration, not legal records: written here through the serializer. An
    endpoint that has notifications (or is named by an escalation step) is deactivated, not deleted."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = s.WebhookEndpointSerializer
    permission_classes = [IsStaff]
    filterset_class = filters.WebhookFilter
    search_fields = ["name", "url"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.create_response(lambda: super(WebhookViewSet, self).create(request, *args, **kwargs))

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        from django.db.models import ProtectedError

        from ..errors import InvalidTransition

        if instance.steps.exists():
            raise InvalidTransition(
                f"Webhook {instance.name!r} is named by an escalation step; remove it there first, "
                "or deactivate it (active: false).",
                field="active",
            )
        try:
            with transaction.atomic():
                instance.delete()
        except ProtectedError as exc:
            raise InvalidTransition(
                f"Webhook {instance.name!r} has notifications on record; deactivate it (active: false) instead.",
                field="active",
            ) from exc


# --- Me, token, dashboard -----------------------------------------------------------------------


class MeView(ThrottleFirst):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who I am, my roles and what the role table lets me do", responses={200: s.MeSerializer}
    )
    def get(self, request: Request) -> Response:
        user: Any = request.user
        permissions = {str(a.value): can(user, a) for a in ROLE_TABLE}
        body = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": user.get_full_name() or user.get_username(),
            "email": user.email or "",
            "is_staff": bool(user.is_staff),
            "roles": sorted(r.value for r in roles_of(user)),
            "permissions": permissions,
            "actions": [name for name, allowed in permissions.items() if allowed],
        }
        return Response(s.MeSerializer(body).data)


class TokenView(APIView):
    """Exchange a username and password for an API token. Throttled on its own ``token`` scope
    (django-axes guards the login form; it also counts failures here through Django's signal)."""

    authentication_classes = ()  # no session (CSRF) and no token needed to ask for a token
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        summary="Get an API token (send it as `Authorization: Token <token>`)",
        request=s.TokenInput,
        responses={200: s.TokenSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = s.TokenInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with that username and password."]},
                code="invalid_credentials",
            )
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class DashboardView(ThrottleFirst):
    permission_classes = [RoleTablePermission]
    role_actions: ClassVar[dict[str, ActionSpec]] = {"list": V}  # an APIView has no action: "list"

    @extend_schema(
        summary="The executive summary",
        description=(
            "The dashboard's figures, from the same snapshot as the page (docs/architecture.md, "
            '"Dashboard snapshot"): `generated_at` is when they were computed, at most '
            "DOCKET_DASHBOARD_MAX_AGE_SECONDS ago, or DOCKET_DASHBOARD_MIN_REFRESH_SECONDS after a change."
        ),
        responses={200: s.DashboardSerializer},
    )
    def get(self, request: Request) -> HttpResponse:
        _, body = snapshot.serve(snapshot.API, now=_now())
        # Rendered to JSON once per snapshot, by the API's own renderer (the only one it has).
        return HttpResponse(body, content_type="application/json")


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI that runs under the strict CSP: no CDN, no inline script or style."""

    template_name = "api/swagger_ui.html"
    title = "Docket API"
