"""The executive summary's shape (the dashboard snapshot's API part)."""

from __future__ import annotations

from rest_framework import serializers

from ...choices import AccessState, DirectiveStatus
from ..fields import AwareDateTimeField
from .directives import TimelineEntrySerializer

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
    shutdown_typed = serializers.IntegerField(
        help_text="Of the samples, those whose shutdown instant is only typed (no control confirmed it)"
    )
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


class DashboardReceiptSerializer(serializers.Serializer):
    directive = serializers.IntegerField()
    reference = serializers.CharField()
    received_at = AwareDateTimeField(help_text="The receipt instant every deadline counts from")
    shutdown_at = AwareDateTimeField(
        allow_null=True,
        help_text="The first confirmed suspension of access that followed (else the first typed one)",
    )
    receipt_to_shutdown_seconds = serializers.IntegerField(allow_null=True)
    shutdown_typed = serializers.BooleanField(
        help_text="True when the shutdown instant is only typed; false when a control confirmed it"
    )


class DashboardSerializer(serializers.Serializer):
    generated_at = AwareDateTimeField()
    tiles = DashboardTilesSerializer()
    rag_rule = serializers.CharField()
    progress = DashboardProgressSerializer(many=True)
    access = DashboardAccessSerializer()
    deadlines = DashboardDeadlineSerializer(many=True)
    receipts = DashboardReceiptSerializer(
        many=True,
        help_text="Each directive in effect: its receipt and the time to the shutdown that followed",
    )
    recent_escalations = TimelineEntrySerializer(many=True)
    charts = serializers.JSONField(help_text="Series for the charts: openedVsResolved, overdueByPriority")
