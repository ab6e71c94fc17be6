"""Serializers: read shapes (``...Serializer``) and, separately, the input each service takes
(``...Input``). Input serializers parse and validate types only; business rules stay in the services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import models as dj_models
from rest_framework import serializers

from .. import instants
from ..choices import (
    RECORDABLE_KINDS,
    AccessState,
    DeadlineRule,
    DeliveryChannel,
    DirectiveKind,
    DirectiveStatus,
    Posture,
    Priority,
    TaskStatus,
)
from ..models import (
    AccessChange,
    Audience,
    Authority,
    Directive,
    DirectiveProduct,
    Escalation,
    Evidence,
    Notification,
    Obligation,
    Product,
    ProductAccess,
    RemediationTask,
    TimelineEntry,
    WebhookEndpoint,
)
from ..models.notifications import WebhookEvent
from ..permissions import Action
from .fields import (
    MAX_BIGINT,
    AwareDateTimeField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    StrictURLField,
    check_json_text,
)
from .planned import PlannedListSerializer

User = get_user_model()

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


# --- Users --------------------------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField()
    is_staff = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.CharField())
    permissions = serializers.DictField(
        child=serializers.BooleanField(), help_text="Each action of the role table: may this user do it."
    )
    actions = serializers.ListField(child=serializers.CharField(), help_text="The actions this user may do.")


class TokenInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    password = StrictCharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


# --- Authorities --------------------------------------------------------------------------------


class AuthoritySerializer(DocketModelSerializer):
    class Meta:
        model = Authority
        fields = [
            "id",
            "name",
            "short_name",
            "jurisdiction",
            "time_zone",
            "calendar_country",
            "calendar_subdivision",
            "created_at",
        ]
        read_only_fields = fields


class AuthorityInput(serializers.Serializer):
    name = StrictCharField(max_length=200)
    short_name = StrictCharField(max_length=40, required=False, allow_blank=True, default="")
    jurisdiction = StrictCharField(max_length=100)
    time_zone = StrictCharField(max_length=64, help_text="IANA zone name, e.g. America/New_York")
    calendar_country = StrictCharField(max_length=3, required=False, default="US")
    calendar_subdivision = StrictCharField(max_length=10, required=False, allow_blank=True, default="")


# --- Products -----------------------------------------------------------------------------------


class ProductAccessSerializer(DocketModelSerializer):
    audience: serializers.SlugRelatedField[Audience] = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )
    audience_name = serializers.CharField(source="audience.name", read_only=True)

    class Meta:
        model = ProductAccess
        fields = ["audience", "audience_name", "state", "changed_at"]
        read_only_fields = fields


class ProductSerializer(DocketModelSerializer):
    access = ProductAccessSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "description", "owner_team", "created_at", "access"]
        read_only_fields = fields


class ProductInput(serializers.Serializer):
    name = StrictCharField(max_length=120)
    description = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    owner_team = StrictCharField(max_length=120, required=False, allow_blank=True, default="")


class AccessChangeInput(serializers.Serializer):
    directive = StrictPrimaryKeyRelatedField(
        queryset=Directive.objects.all(), help_text="The order requiring it"
    )
    audiences = serializers.ListField(
        child=StrictCharField(max_length=50), min_length=1, max_length=20, help_text="Audience keys"
    )
    state = StrictChoiceField(choices=AccessState.choices)
    occurred_at = AwareDateTimeField(help_text="When access actually changed (ISO 8601 with offset)")
    reason = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")

    def validate_audiences(self, keys: list[str]) -> list[Audience]:
        if len(set(keys)) != len(keys):
            raise serializers.ValidationError("An audience is listed twice.")
        found = {a.key: a for a in Audience.objects.filter(key__in=keys)}
        unknown = [k for k in keys if k not in found]
        if unknown:
            known = ", ".join(Audience.objects.values_list("key", flat=True))
            raise serializers.ValidationError(f"Unknown audience {unknown[0]!r}; known: {known}.")
        return [found[k] for k in keys]


class AccessChangeSerializer(DocketModelSerializer):
    audience: serializers.SlugRelatedField[Audience] = serializers.SlugRelatedField(
        slug_field="key", read_only=True
    )

    class Meta:
        model = AccessChange
        fields = [
            "id",
            "product",
            "audience",
            "from_state",
            "to_state",
            "occurred_at",
            "recorded_at",
            "directive",
            "actor",
            "reason",
        ]
        read_only_fields = fields


class AccessChangeResultSerializer(serializers.Serializer):
    product = ProductSerializer()
    changes = AccessChangeSerializer(many=True)


# --- Directives ---------------------------------------------------------------------------------


class DirectiveProductSerializer(DocketModelSerializer):
    name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = DirectiveProduct
        fields = ["product", "name", "required_action"]
        read_only_fields = fields


class DirectiveSerializer(DocketModelSerializer):
    products = DirectiveProductSerializer(source="product_links", many=True, read_only=True)
    received_at_local = serializers.SerializerMethodField(
        help_text="The receipt instant in the authority's own zone (ISO 8601 with its offset)"
    )

    class Meta:
        model = Directive
        fields = [
            "id",
            "authority",
            "reference",
            "title",
            "kind",
            "summary",
            "full_text",
            "received_at",
            "received_at_local",
            "delivery_channel",
            "effective_from",
            "status",
            "posture",
            "products",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_received_at_local(self, obj: Directive) -> str:
        return instants.machine(obj.received_at, obj.authority)


class AffectedProductInput(serializers.Serializer):
    product = StrictPrimaryKeyRelatedField(queryset=Product.objects.all())
    required_action = StrictCharField(max_length=300)


class DirectiveInput(serializers.Serializer):
    authority = StrictPrimaryKeyRelatedField(queryset=Authority.objects.all())
    reference = StrictCharField(max_length=120)
    title = StrictCharField(max_length=300)
    kind = StrictChoiceField(choices=DirectiveKind.choices)
    summary = StrictCharField(max_length=20_000, required=False, allow_blank=True, default="")
    full_text = StrictCharField(max_length=1_000_000, required=False, allow_blank=True, default="")
    received_at = AwareDateTimeField(help_text="When the order reached the company (ISO 8601 with offset)")
    delivery_channel = StrictChoiceField(choices=DeliveryChannel.choices, required=False, default="email")
    effective_from = AwareDateTimeField(required=False, allow_null=True, default=None)
    posture = StrictChoiceField(choices=Posture.choices, required=False, default="undecided")
    products = AffectedProductInput(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True, required=False, default=list, max_length=100
    )

    def validate_products(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [item["product"].pk for item in value]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("A product is listed twice.")
        return value


class VersionedInput(serializers.Serializer):
    version = StrictIntegerField(
        min_value=1,
        max_value=MAX_BIGINT,
        required=False,
        help_text="The version you read; or send it as If-Match. A stale one gets 409 with the current state.",
    )


class TransitionInput(VersionedInput):
    to_status = StrictChoiceField(choices=DirectiveStatus.choices)
    note = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class TimelineEntrySerializer(DocketModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = [
            "id",
            "directive",
            "seq",
            "kind",
            "occurred_at",
            "recorded_at",
            "actor",
            "actor_label",
            "summary",
            "data",
            "obligation",
            "task",
            "product",
            "supersedes",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class RecordActionInput(serializers.Serializer):
    kind = StrictChoiceField(choices=RECORDABLE_KIND_CHOICES)
    summary = StrictCharField(max_length=20_000)
    occurred_at = AwareDateTimeField(help_text="When it happened (may be earlier than now)")
    data = serializers.DictField(  # type: ignore[assignment]  # the field is named data in the API
        required=False, default=dict, help_text="Free-form details (JSON object)"
    )

    def validate_data(self, value: dict[str, Any]) -> dict[str, Any]:
        check_json_text(value)
        return value


class CorrectionInput(serializers.Serializer):
    supersedes = StrictPrimaryKeyRelatedField(
        queryset=TimelineEntry.objects.all(),
        help_text="The id of the entry this corrects (it stays as it was)",
    )
    summary = StrictCharField(max_length=20_000)
    occurred_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The corrected time it happened, if that changes",
    )
    data = serializers.DictField(  # type: ignore[assignment]  # the field is named data in the API
        required=False, default=dict
    )

    def validate_data(self, value: dict[str, Any]) -> dict[str, Any]:
        check_json_text(value)
        return value


class StatementInput(serializers.Serializer):
    text = StrictCharField(max_length=20_000)
    url = StrictURLField(max_length=2000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)
    posture = StrictChoiceField(choices=Posture.choices, required=False, allow_null=True, default=None)


class AffectedProductAddInput(serializers.Serializer):
    product = StrictPrimaryKeyRelatedField(queryset=Product.objects.all())
    required_action = StrictCharField(max_length=300)


class ChainProblemSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    entry_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()


class ChainReportSerializer(serializers.Serializer):
    directive = serializers.IntegerField(source="directive_id")
    ok = serializers.BooleanField()
    entries = serializers.IntegerField()
    head_seq = serializers.IntegerField()
    head_hash = serializers.CharField()
    problem = ChainProblemSerializer(allow_null=True)


# --- Obligations --------------------------------------------------------------------------------


class ObligationSerializer(DocketModelSerializer):
    class Meta:
        model = Obligation
        fields = [
            "id",
            "directive",
            "title",
            "description",
            "deadline_rule",
            "deadline_amount",
            "deadline_at",
            "due_at",
            "due_rule_text",
            "status",
            "met_at",
            "escalation_level",
            "next_escalation_at",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class ObligationInput(serializers.Serializer):
    directive = StrictPrimaryKeyRelatedField(queryset=Directive.objects.all())
    title = StrictCharField(max_length=300)
    description = StrictCharField(max_length=20_000, required=False, allow_blank=True, default="")
    deadline_rule = StrictChoiceField(choices=DeadlineRule.choices)
    deadline_amount = StrictIntegerField(
        min_value=0, max_value=100_000, required=False, allow_null=True, default=None
    )
    deadline_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class ObligationMetInput(VersionedInput):
    met_at = AwareDateTimeField()
    note = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")


class ObligationWaiveInput(VersionedInput):
    reason = StrictCharField(max_length=5000)


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
    task (a quarter of a list request's time; docs/benchmarks.md, section 4)."""

    # A nested list field, built once per serializer (a method field built a new EvidenceSerializer for
    # every task: a third of a 50-task list page's time).
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


class TaskCommentInput(serializers.Serializer):
    text = StrictCharField(max_length=20_000)


class TaskEvidenceInput(serializers.Serializer):
    url = StrictURLField(max_length=2000, help_text="A link to the evidence (http or https)")
    description = StrictCharField(max_length=300, required=False, allow_blank=True, default="")


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


# --- Escalations, notifications, webhooks -------------------------------------------------------


class EscalationSerializer(DocketModelSerializer):
    class Meta:
        model = Escalation
        fields = [
            "id",
            "directive",
            "task",
            "obligation",
            "level",
            "repeat",
            "name",
            "reminder",
            "due_at",
            "scheduled_at",
            "fired_at",
            "notified",
            "superseded_at",
            "superseded_reason",
        ]
        read_only_fields = fields


class NotificationSerializer(DocketModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "channel",
            "event",
            "recipient",
            "user",
            "webhook",
            "directive",
            "task",
            "obligation",
            "escalation",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields


class WebhookEndpointSerializer(DocketModelSerializer):
    """A webhook subscription. The secret is write-only: it signs deliveries and is never shown again."""

    events = serializers.ListField(
        child=StrictChoiceField(choices=WebhookEvent.choices),
        required=False,
        max_length=len(WebhookEvent.choices),
        help_text="Events this endpoint subscribes to",
    )
    url = StrictURLField(max_length=2000)
    secret = StrictCharField(
        max_length=200, min_length=16, write_only=True, help_text="Shared secret for X-Docket-Signature"
    )
    has_secret = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "secret", "has_secret", "active", "events", "created_at", "updated_at"]
        read_only_fields = ["id", "has_secret", "created_at", "updated_at"]

    def get_has_secret(self, obj: WebhookEndpoint) -> bool:
        return bool(obj.secret)

    def validate_events(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("An event is listed twice.")
        return value


# --- Dashboard ----------------------------------------------------------------------------------


class DashboardTilesSerializer(serializers.Serializer):
    directives_in_effect = serializers.IntegerField()
    directives_active = serializers.IntegerField()
    obligations_open = serializers.IntegerField()
    obligations_missed = serializers.IntegerField()
    obligations_open_past_due = serializers.IntegerField()
    tasks_open = serializers.IntegerField()
    tasks_overdue = serializers.IntegerField()
    tasks_escalated = serializers.IntegerField()
    tasks_awaiting_verification = serializers.IntegerField()
    median_receipt_to_shutdown_seconds = serializers.IntegerField(allow_null=True)
    shutdown_samples = serializers.IntegerField()
    last_sweep_at = AwareDateTimeField(allow_null=True)


class DashboardProgressSerializer(serializers.Serializer):
    directive = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=DirectiveStatus.choices)
    colour = serializers.ChoiceField(choices=[("red", "Red"), ("amber", "Amber"), ("green", "Green")])
    reasons = serializers.ListField(child=serializers.CharField())
    obligations_total = serializers.IntegerField()
    obligations_met = serializers.IntegerField()
    obligations_missed = serializers.IntegerField()
    tasks_total = serializers.IntegerField()
    tasks_done = serializers.IntegerField()
    tasks_overdue = serializers.IntegerField()
    percent_done = serializers.IntegerField()


class DashboardAudienceSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class DashboardAccessRowSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    name = serializers.CharField()
    states = serializers.ListField(
        child=serializers.ChoiceField(choices=AccessState.choices, allow_null=True),
        help_text="One per audience, in the order of `audiences`",
    )


class DashboardAccessSerializer(serializers.Serializer):
    audiences = DashboardAudienceSerializer(many=True)
    rows = DashboardAccessRowSerializer(many=True)


class DashboardDeadlineSerializer(serializers.Serializer):
    due_at = AwareDateTimeField()
    what = serializers.CharField()
    title = serializers.CharField()
    directive = serializers.IntegerField()
    obligation = serializers.IntegerField(allow_null=True)
    task = serializers.IntegerField(allow_null=True)
    who = serializers.CharField(allow_blank=True)


class DashboardSerializer(serializers.Serializer):
    generated_at = AwareDateTimeField()
    tiles = DashboardTilesSerializer()
    rag_rule = serializers.CharField()
    progress = DashboardProgressSerializer(many=True)
    access = DashboardAccessSerializer()
    deadlines = DashboardDeadlineSerializer(many=True)
    recent_escalations = TimelineEntrySerializer(many=True)
    charts = serializers.JSONField(help_text="Series for the charts: openedVsResolved, overdueByPriority")


# --- The record as it is now, for 409 stale_version answers -------------------------------------

REPRESENTATIONS: dict[type[dj_models.Model], type[serializers.BaseSerializer]] = {
    Directive: DirectiveSerializer,
    Obligation: ObligationSerializer,
    RemediationTask: TaskSerializer,
    Product: ProductSerializer,
    Authority: AuthoritySerializer,
    WebhookEndpoint: WebhookEndpointSerializer,
}


def representation_for(obj: dj_models.Model, *, request: Any = None) -> Any:
    serializer_class = REPRESENTATIONS.get(type(obj))
    if serializer_class is None:
        return None
    rows = getattr(serializer_class, "rows", None)
    if rows is not None:  # the shape reads what its own queryset adds to a row
        obj = rows().filter(pk=obj.pk).first() or obj
    return serializer_class(obj, context={"request": request}).data


ALL_ACTIONS = list(Action)
