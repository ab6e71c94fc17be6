"""The sign-in record (read-only), identities (an administrator links an existing account to a person at
the provider by their subject), and API tokens: revoking one here goes through the service, so the
record says which administrator did it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from ..admin import ReadOnlyAdmin
from . import config, services
from .models import SignInEvent, SignInIdentity


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdmin):
    list_display = [
        "occurred_at",
        "kind",
        "method",
        "username",
        "ip_address",
        "reason",
        "detail",
        "actor_label",
    ]
    list_filter = ["kind", "method", "reason"]
    search_fields = ["username", "subject", "ip_address", "detail"]
    date_hierarchy = "occurred_at"


@admin.register(SignInIdentity)
class SignInIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "issuer", "created_at", "last_sign_in_at"]
    search_fields = ["user__username", "user__email", "subject"]
    raw_id_fields = ["user"]
    readonly_fields = ["last_sign_in_at"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"issuer": config.issuer().rstrip("/"), "created_at": timezone.now()}


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class RevocableTokenAdmin(TokenAdmin):
    """DRF's token admin; deleting a token is revoking it, recorded with the administrator's name."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.revoke_api_token(
            owner=obj.user, actor=request.user, client=services.ClientInfo.of(request), now=timezone.now()
        )

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> None:  # no bulk action in DRF's admin; kept for any other caller
        for token in queryset.select_related("user"):
            self.delete_model(request, token)
