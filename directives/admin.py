"""Admin for every model. Timeline entries are read-only here: nobody edits or deletes the legal record.
Legal records (directives, obligations, tasks) are changed through the app's services, so their admin
is for looking up and for reference data (authorities, products, audiences)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import models
from .escalation.reschedule import reschedule


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services: visible, searchable, never changed here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "short_name",
        "jurisdiction",
        "time_zone",
        "calendar_country",
        "calendar_subdivision",
    ]
    search_fields = ["name", "short_name", "jurisdiction"]


@admin.register(models.ClosureDay)
class ClosureDayAdmin(ReadOnlyAdmin):
    """Read-only: legal adds and removes closure days on the authority's page, recorded on the timelines."""

    list_display = ["authority", "day", "name", "added_by", "added_at", "removed_by", "removed_at"]
    list_filter = ["authority"]
    search_fields = ["name", "authority__name"]
    list_select_related = ["authority", "added_by", "removed_by"]
    date_hierarchy = "day"


@admin.register(models.Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "sort_order"]
    prepopulated_fields = {"key": ["name"]}


class ProductAccessInline(admin.TabularInline):
    model = models.ProductAccess
    extra = 0
    readonly_fields = ["audience", "state", "changed_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "owner_team", "created_at"]
    search_fields = ["name", "owner_team"]
    inlines = [ProductAccessInline]


@admin.register(models.ProductAccess)
class ProductAccessAdmin(ReadOnlyAdmin):
    list_display = ["product", "audience", "state", "changed_at"]
    list_filter = ["state", "audience", "product"]


@admin.register(models.AccessChange)
class AccessChangeAdmin(ReadOnlyAdmin):
    list_display = ["product", "audience", "from_state", "to_state", "occurred_at", "recorded_at", "actor"]
    list_filter = ["to_state", "product", "audience"]
    list_select_related = ["product", "audience", "actor"]


class DirectiveProductInline(admin.TabularInline):
    model = models.DirectiveProduct
    extra = 0
    readonly_fields = ["product", "required_action"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Directive)
class DirectiveAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "authority", "kind", "status", "posture", "received_at"]
    list_filter = ["status", "kind", "posture", "authority"]
    search_fields = ["reference", "title", "summary"]
    list_select_related = ["authority"]
    date_hierarchy = "received_at"
    inlines = [DirectiveProductInline]


@admin.register(models.DirectiveLink)
class DirectiveLinkAdmin(ReadOnlyAdmin):
    """Added and removed on the directive page (``services.links``), which records both timelines."""

    list_display = ["source", "kind", "target", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["source__reference", "target__reference"]
    list_select_related = ["source__authority", "target__authority", "created_by"]


@admin.register(models.DirectiveDocument)
class DirectiveDocumentAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "directive",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["directive", "uploaded_by"]
    exclude = ["file"]


@admin.register(models.Obligation)
class ObligationAdmin(ReadOnlyAdmin):
    list_display = ["title", "directive", "due_rule_text", "due_at", "status", "met_at", "escalation_level"]
    list_filter = ["status", "deadline_rule"]
    search_fields = ["title"]
    list_select_related = ["directive"]


@admin.register(models.RemediationTask)
class RemediationTaskAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "directive",
        "assignee",
        "priority",
        "status",
        "due_at",
        "escalation_level",
        "version",
    ]
    list_filter = ["status", "priority", "escalation_level"]
    search_fields = ["title", "description", "resolution"]
    list_select_related = ["directive", "assignee"]
    raw_id_fields = ["directive", "obligation", "product", "assignee"]


@admin.register(models.Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["task", "kind", "original_name", "url", "sha256", "added_by", "added_at"]
    search_fields = ["original_name", "url", "sha256"]
    list_select_related = ["task", "added_by"]
    exclude = ["file"]


@admin.register(models.TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ["directive", "seq", "kind", "occurred_at", "recorded_at", "actor_label", "summary"]
    list_filter = ["kind"]
    search_fields = ["summary", "hash"]
    list_select_related = ["directive"]
    ordering = ["directive_id", "seq"]


@admin.register(models.DirectiveProduct)
class DirectiveProductAdmin(ReadOnlyAdmin):
    list_display = ["directive", "product", "required_action"]
    list_select_related = ["directive", "product"]
    search_fields = ["required_action", "product__name", "directive__reference"]


# --- Escalation engine: policies (editable), escalations, the outbox, webhooks, sweeps ---------------

from django import forms as _forms  # noqa: E402
from django.contrib import messages as _messages  # noqa: E402
from django.db.models import QuerySet as _QuerySet  # noqa: E402
from django.forms.models import BaseInlineFormSet as _BaseInlineFormSet  # noqa: E402
from django.utils import timezone as _timezone  # noqa: E402


class SignedDurationInput(_forms.TextInput):
    """Shows one hour before due as -01:00:00 rather than Python's "-1 day, 23:00:00"."""

    def format_value(self, value: Any) -> str | None:
        import datetime as _dt

        from django.utils.dateparse import parse_duration
        from django.utils.duration import duration_string

        if isinstance(value, str):  # forms.DurationField.prepare_value already made it a string
            value = parse_duration(value) or value
        if isinstance(value, _dt.timedelta):
            return f"-{duration_string(-value)}" if value < _dt.timedelta(0) else duration_string(value)
        return super().format_value(value)


class EscalationStepForm(_forms.ModelForm):
    class Meta:
        model = models.EscalationStep
        fields = [
            "level",
            "name",
            "offset",
            "repeat_every",
            "notify_assignee",
            "notify_groups",
            "notify_users",
            "notify_webhooks",
        ]
        widgets = {"offset": SignedDurationInput, "repeat_every": SignedDurationInput}
        help_texts = {
            "offset": "From the due instant, [-]HH:MM:SS or 'D HH:MM:SS': -01:00:00 is an hour before."
        }


class EscalationStepFormSet(_BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        steps = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if (
                data
                and not data.get("DELETE")
                and data.get("offset") is not None
                and data.get("level") is not None
            ):
                steps.append((data["level"], data["offset"]))
        if sum(1 for level, _ in steps if level == 0) > 1:
            raise _forms.ValidationError("A ladder has at most one reminder (level 0).")
        ordered = sorted(steps)
        offsets = [offset for _, offset in ordered]
        if offsets != sorted(offsets):
            raise _forms.ValidationError("Higher levels must fire later: order the offsets like the levels.")


class EscalationStepInline(admin.TabularInline):
    model = models.EscalationStep
    form = EscalationStepForm
    formset = EscalationStepFormSet
    extra = 0
    fields = [
        "level",
        "name",
        "offset",
        "repeat_every",
        "notify_assignee",
        "notify_groups",
        "notify_users",
        "notify_webhooks",
    ]
    ordering = ["level"]


@admin.register(models.EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "applies_to", "priority", "active", "step_count", "updated_at"]
    list_filter = ["applies_to", "active"]
    inlines = [EscalationStepInline]
    actions = ["recompute_schedules"]

    @admin.display(description="steps")
    def step_count(self, obj: models.EscalationPolicy) -> int:
        return obj.steps.count()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        self._reschedule(request)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        self._reschedule(request)

    @admin.action(description="Recompute the next escalation of every open task and obligation")
    def recompute_schedules(self, request: HttpRequest, queryset: _QuerySet[Any]) -> None:
        self._reschedule(request)

    def _reschedule(self, request: HttpRequest) -> None:
        changed = reschedule(now=_timezone.now())
        self.message_user(
            request,
            f"Open tasks and obligations rescheduled for the current policies: {changed} changed.",
            _messages.INFO,
        )


@admin.register(models.Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "level",
        "repeat",
        "task",
        "obligation",
        "directive",
        "scheduled_at",
        "fired_at",
        "notified",
        "superseded_at",
    ]
    list_filter = ["level", "reminder", "notified"]
    search_fields = ["name", "task__title", "obligation__title", "directive__reference"]
    list_select_related = ["task", "obligation", "directive"]
    date_hierarchy = "fired_at"


@admin.register(models.Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "idempotency_key",
        "channel",
        "event",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "channel", "event"]
    search_fields = ["idempotency_key", "recipient", "last_error"]
    date_hierarchy = "created_at"
    actions = ["retry"]

    @admin.display(description="last error")
    def short_error(self, obj: models.Notification) -> str:
        return obj.last_error[:120]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Retry now (dead, failed or cancelled notifications)")
    def retry(self, request: HttpRequest, queryset: _QuerySet[Any]) -> None:
        from .services.notifications import requeue

        count = requeue(ids=list(queryset.values_list("pk", flat=True)), now=_timezone.now())
        self.message_user(request, f"{count} notification(s) queued again; the relay will deliver them.")


class WebhookEndpointForm(_forms.ModelForm):
    url = _forms.URLField(max_length=2000, assume_scheme="https")
    events = _forms.MultipleChoiceField(
        choices=models.WebhookEvent.choices, required=False, widget=_forms.CheckboxSelectMultiple
    )

    class Meta:
        model = models.WebhookEndpoint
        fields = ["name", "url", "secret", "active", "events"]
        widgets = {"secret": _forms.PasswordInput(render_value=True)}


@admin.register(models.WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "active", "events", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]


@admin.register(models.SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["finished_at", "started_at", "duration_ms", "stats"]
    date_hierarchy = "finished_at"


@admin.register(models.CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    """Revoking a leaked feed URL is a delete here; the token itself is never shown in lists."""

    list_display = ["user", "created_at", "last_used_at"]
    list_select_related = ["user"]
    exclude = ["token_hash"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    list_display = ["user", "key", "method", "path", "response_status", "created_at"]
    list_select_related = ["user"]
    search_fields = ["key", "path"]
    exclude = ["response_body"]


@admin.register(models.SearchText)
class SearchTextAdmin(ReadOnlyAdmin):
    """The search index's rows on PostgreSQL (kept by triggers; empty on the embedded default)."""

    list_display = ("rowkey", "kind", "directive_id", "title")
    list_filter = ("kind",)
    search_fields = ("title",)


@admin.register(models.SenderMapping)
class SenderMappingAdmin(admin.ModelAdmin):
    list_display = ("sender", "authority")
    search_fields = ("sender", "authority__name")
    autocomplete_fields = ("authority",)


@admin.register(models.IntakeItem)
class IntakeItemAdmin(ReadOnlyAdmin):
    """The intake queue: rows are written by the mailbox poll and closed from /intake/inbox/."""

    list_display = ("created_at", "sender", "subject", "state", "directive")
    list_filter = ("state",)
    search_fields = ("sender", "subject", "message_id")
    date_hierarchy = "created_at"


@admin.register(models.TimelineHead)
class TimelineHeadAdmin(ReadOnlyAdmin):
    """Each chain's head (last sequence number and hash), written by the database's insert trigger."""

    list_display = ("directive", "seq", "hash")
    search_fields = ("directive__reference",)


@admin.register(models.Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "time_zone", "updated_at")
    search_fields = ("user__username",)
    readonly_fields = ("updated_at",)


@admin.register(models.NotificationRead)
class NotificationReadAdmin(ReadOnlyAdmin):
    list_display = ("notification", "user", "read_at")
    search_fields = ("user__username",)


class ControlForm(_forms.ModelForm):
    """The target is checked as the service checks it: no credential ever stored in it."""

    class Meta:
        model = models.Control
        fields = ["product", "kind", "target", "owner", "active"]

    def clean(self) -> dict[str, Any]:
        from .errors import InvalidInput
        from .services.controls import clean_target

        data = super().clean() or {}
        try:
            data["target"] = clean_target(data.get("kind", ""), data.get("target") or {})
        except InvalidInput as exc:
            raise _forms.ValidationError({"target": exc.message}) from exc
        return data


@admin.register(models.Control)
class ControlAdmin(admin.ModelAdmin):
    form = ControlForm
    list_display = ["product", "kind", "owner", "active", "drift_checked_at", "drift_error"]
    list_filter = ["kind", "active"]
    readonly_fields = ["drift_checked_at", "drift_error", "drift_live"]


@admin.register(models.Enforcement)
class EnforcementAdmin(ReadOnlyAdmin):
    list_display = [
        "control",
        "directive",
        "status",
        "requested_at",
        "applied_at",
        "confirmed_at",
        "attempts",
    ]
    list_filter = ["status"]


@admin.register(models.LiftRequest)
class LiftRequestAdmin(ReadOnlyAdmin):
    list_display = ["product", "directive", "state", "status", "requested_by", "approved_by", "requested_at"]
    list_filter = ["status"]
