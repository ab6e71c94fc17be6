"""Admin for every model. Timeline entries are read-only here: nobody edits or deletes the legal record.
Legal records (directives, obligations, tasks) are changed through the app's services, so their admin
is for looking up and for reference data (authorities, products, audiences)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import models


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
