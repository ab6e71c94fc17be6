"""Authorities, products and their access, directives and their timeline."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiRequest, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from compliance.uploads import DocketMultiPartParser

from ...models import (
    Authority,
    Directive,
    DirectiveLink,
    DirectiveProduct,
    Product,
    ProductAccess,
    TimelineEntry,
)
from ...permissions import Action, require
from ...selectors.directives import link_rows, search_directives
from ...services import authorities as authority_services
from ...services import controls as control_services
from ...services import directives as directive_services
from ...services import intake as intake_services
from ...services import links as link_services
from ...services import products as product_services
from ...services import suspension
from ...services import timeline as timeline_services
from ...services.directives import AffectedProduct
from ...services.intake import NewObligation
from ...services.links import NewLink
from .. import filters
from .. import serializers as s
from ..serializers.enforcement import (
    ControlInput,
    ControlSerializer,
    EnforcementSerializer,
    LiftRequestSerializer,
    SuspendInput,
)
from .base import DocketViewSet, V, now
from .conventions import AUTHORITY_ACTIONS, AuthorityConventionMixin

# --- Authorities --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the issuing authorities"),
    retrieve=extend_schema(summary="One authority"),
)
class AuthorityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AuthorityConventionMixin):
    queryset = Authority.objects.all()
    serializer_class = s.AuthoritySerializer
    filterset_class = filters.AuthorityFilter
    search_fields = ["name", "short_name", "jurisdiction"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name"]
    role_actions = {
        "list": V,
        "retrieve": V,
        "create": Action.LOG_DIRECTIVE,
        "partial_update": Action.LOG_DIRECTIVE,
        **AUTHORITY_ACTIONS,
    }
    versioned_actions = ("partial_update", "convention")
    inconsistent_actions = ("convention",)

    @extend_schema(
        summary="Add an authority", request=s.AuthorityInput, responses={201: s.AuthoritySerializer}
    )
    def create(self, request: Request) -> Response:
        def perform() -> Response:
            data = self.parse(s.AuthorityInput)
            authority = directive_services.create_authority(actor=request.user, **data)
            return self.render(s.AuthoritySerializer, authority, code=status.HTTP_201_CREATED)

        return self.create_response(perform)

    @extend_schema(
        summary="Edit an authority (optimistic concurrency: send version or If-Match); its zone and "
        "calendar stay as they are once it has a directive",
        request=s.AuthorityEditInput,
        responses={200: s.AuthoritySerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        authority = self.get_object()
        data = self.parse(s.AuthorityEditInput)
        expected = self.expected_version(data)
        data.pop("version", None)
        authority_services.update_authority(
            authority=authority, changes=data, expected_version=expected, actor=request.user
        )
        return self.render(s.AuthoritySerializer, Authority.objects.get(pk=authority.pk))


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
        "control": V,  # changing it: MANAGE_CONTROLS, checked before the body is read
    }
    idempotent_actions = ("create", "access")

    @extend_schema(summary="Add a product", request=s.ProductInput, responses={201: s.ProductSerializer})
    def create(self, request: Request) -> Response:
        def perform() -> Response:
            data = self.parse(s.ProductInput)
            product = product_services.create_product(actor=request.user, now=now(), **data)
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
            changes = suspension.change_access(
                product=product,
                audiences=data["audiences"],
                state=data["state"],
                directive=data["directive"],
                occurred_at=data["occurred_at"],
                reason=data["reason"],
                actor=request.user,
                now=now(),
            )
            if not isinstance(changes, list):  # a lift on a controlled product waits for a second person
                lift = LiftRequestSerializer(changes, context=self.get_serializer_context()).data
                return Response(lift, status=status.HTTP_202_ACCEPTED)
            result = {"product": self.get_queryset().get(pk=product.pk), "changes": changes}
            body = s.AccessChangeResultSerializer(result, context=self.get_serializer_context()).data
            return Response(body, status=status.HTTP_201_CREATED)

        return self.create_response(perform)

    @extend_schema(
        methods=["GET"],
        summary="The product's control: the connector that switches its access (404: none)",
        responses={200: ControlSerializer},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Set or change the product's control (connector, target, owner)",
        request=ControlInput,
        responses={200: ControlSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove the product's control: its access changes are only recorded again",
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["get", "put", "delete"])
    def control(self, request: Request, pk: str | None = None) -> Response:
        """The same service as the product's control page (``services.controls``)."""
        product = self.get_object()
        if request.method != "GET":
            require(request.user, Action.MANAGE_CONTROLS)
        if request.method == "PUT":
            data = self.parse(ControlInput)
            control_services.set_control(product=product, actor=request.user, **data)
        elif request.method == "DELETE":
            control_services.remove_control(product=product, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        control = control_services.current_control(product)
        if control is None:
            return Response({"detail": f"{product.name} has no control."}, status=status.HTTP_404_NOT_FOUND)
        return self.render(ControlSerializer, control)


# --- Directives ---------------------------------------------------------------------------------

DIRECTIVES = Directive.objects.select_related("authority").prefetch_related(
    Prefetch("product_links", queryset=DirectiveProduct.objects.select_related("product").order_by("pk"))
)


def directive_with_products(pk: int) -> Directive:
    """A directive as the API renders it: its authority and affected products loaded."""
    return DIRECTIVES.get(pk=pk)


@extend_schema_view(
    list=extend_schema(summary="List directives"),
    retrieve=extend_schema(summary="One directive"),
)
class DirectiveViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    queryset = DIRECTIVES
    serializer_class = s.DirectiveSerializer
    filterset_class = filters.DirectiveFilter
    search_fields = ["reference", "title", "summary", "authority__name", "authority__short_name"]
    # The same search as the pages: the directive's text, its documents', tasks' and timeline entries'.
    full_text_search = staticmethod(search_directives)
    ordering_fields = ["received_at", "created_at", "updated_at", "reference", "status", "id"]
    ordering = ["-received_at", "-id"]
    role_actions = {
        "list": V,
        "retrieve": V,
        "create": Action.LOG_DIRECTIVE,
        "partial_update": Action.EDIT_DIRECTIVE,
        "transition": Action.EDIT_DIRECTIVE,
        "verify": V,
        "statement": Action.RECORD_ACTION,
        "corrections": Action.RECORD_ACTION,
        "products": Action.EDIT_DIRECTIVE,
        "suspend": Action.SUSPEND_PRODUCTS,
        "links": V,
        "add_link": Action.EDIT_DIRECTIVE,
        "remove_link": Action.EDIT_DIRECTIVE,
    }
    idempotent_actions = ("create", "statement", "corrections", "products", "suspend", "add_link")
    versioned_actions = ("partial_update", "transition")
    inconsistent_actions = ("create",)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.render(s.DirectiveSerializer, self.get_object())

    def get_parsers(self) -> list[BaseParser]:
        """The intake (a POST to the list) also takes ``multipart/form-data``, for its documents."""
        if getattr(self, "action_map", {}).get("post") == "create":
            return [*super().get_parsers(), DocketMultiPartParser()]
        return super().get_parsers()

    @extend_schema(
        summary="Log an incoming directive with its products, obligations and (as multipart/form-data) "
        "documents, in one transaction; its receipt becomes timeline entry #1",
        request={
            "application/json": s.DirectiveInput,
            "multipart/form-data": OpenApiRequest(
                s.DirectiveUploadInput,
                encoding={
                    "products": {"contentType": "application/json"},
                    "obligations": {"contentType": "application/json"},
                    "links": {"contentType": "application/json"},
                },
            ),
        },
        responses={201: s.DirectiveSerializer},
    )
    def create(self, request: Request) -> Response:
        def perform() -> Response:
            multipart = request.content_type.startswith("multipart/form-data")
            data = self.parse(s.DirectiveUploadInput if multipart else s.DirectiveInput)
            directive = intake_services.log_intake(
                products=[AffectedProduct(i["product"], i["required_action"]) for i in data.pop("products")],
                obligations=[NewObligation(**item) for item in data.pop("obligations")],
                links=[NewLink(item["kind"], item["target"]) for item in data.pop("links")],
                documents=data.pop("documents", []),
                actor=request.user,
                now=now(),
                **data,
            )
            return self.render(s.DirectiveSerializer, self.get_queryset().get(pk=directive.pk), code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Amend the directive's title, reference, summary, scope or effective instant (optimistic "
        "concurrency: send version or If-Match); the timeline entry shows each field before and after",
        request=s.DirectiveAmendInput,
        responses={200: s.DirectiveSerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()
        data = self.parse(s.DirectiveAmendInput)
        expected = self.expected_version(data)
        data.pop("version", None)
        directive_services.amend_directive(
            directive=directive, changes=data, expected_version=expected, actor=request.user, now=now()
        )
        return self.render(s.DirectiveSerializer, self.get_queryset().get(pk=directive.pk))

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
            now=now(),
        )
        return self.render(s.DirectiveSerializer, self.get_queryset().get(pk=directive.pk))

    @extend_schema(
        summary="Suspend every audience of every product the directive names, in one step",
        request=SuspendInput,
        responses={202: EnforcementSerializer(many=True)},
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()

        def perform() -> Response:
            data = self.parse(SuspendInput)
            requested = suspension.suspend_all(
                directive=directive, actor=request.user, now=now(), reason=data["reason"]
            )
            body = EnforcementSerializer(requested, many=True, context=self.get_serializer_context()).data
            return Response(body, status=status.HTTP_202_ACCEPTED)

        return self.create_response(perform)

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
                directive=directive, actor=request.user, now=now(), **data
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
            correction = directive_services.add_correction(entry=entry, actor=request.user, now=now(), **data)
            return self.render(s.TimelineEntrySerializer, correction, code=201)

        return self.create_response(perform)

    @extend_schema(
        summary="Name another product affected by the directive, with what it requires of it "
        "(optimistic concurrency: send version or If-Match to refuse a directive changed since)",
        request=s.AffectedProductAddInput,
        responses={201: s.DirectiveSerializer},
    )
    @action(detail=True, methods=["post"])
    def products(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()

        def perform() -> Response:
            data = self.parse(s.AffectedProductAddInput)
            directive_services.add_affected_product(
                directive=directive,
                product=data["product"],
                required_action=data["required_action"],
                expected_version=self.optional_version(data),
                actor=request.user,
                now=now(),
            )
            return self.render(s.DirectiveSerializer, self.get_queryset().get(pk=directive.pk), code=201)

        return self.create_response(perform)

    @extend_schema(
        summary='The directive\'s links to other directives, both directions ("Amends" on the source, '
        '"Amended by" on the target)',
        responses={200: s.DirectiveLinkSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def links(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()
        return Response(s.DirectiveLinkSerializer(link_rows(directive.pk), many=True).data)

    @extend_schema(
        summary="Link the directive to another one: it amends, supersedes, responds to or relates to it; "
        "both timelines record it. A directive is never linked to itself, two directives at most once",
        request=s.LinkInput,
        responses={201: s.DirectiveLinkSerializer(many=True)},
    )
    @links.mapping.post
    def add_link(self, request: Request, pk: str | None = None) -> Response:
        directive = self.get_object()

        def perform() -> Response:
            data = self.parse(s.LinkInput)
            link_services.add_link(
                directive=directive, kind=data["kind"], target=data["target"], actor=request.user, now=now()
            )
            rows = s.DirectiveLinkSerializer(link_rows(directive.pk), many=True).data
            return Response(rows, status=status.HTTP_201_CREATED)

        return self.create_response(perform)

    @extend_schema(
        summary="Remove one of the directive's links (either direction); both timelines record it",
        responses={204: None},
        filters=False,
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"links/(?P<link_id>[0-9]{1,18})",
        filter_backends=[],
        pagination_class=None,
    )
    def remove_link(self, request: Request, pk: str | None = None, link_id: str = "") -> Response:
        directive = self.get_object()
        link = get_object_or_404(
            DirectiveLink.objects.filter(Q(source=directive) | Q(target=directive)), pk=int(link_id)
        )
        link_services.remove_link(directive=directive, link=link, actor=request.user, now=now())
        return Response(status=status.HTTP_204_NO_CONTENT)

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
                now=now(),
            )
            return self.render(s.TimelineEntrySerializer, entry, code=201)

        return self.create_response(perform)
