"""My inbox (what Docket sent me) and my own settings: the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from ... import instants
from ...models import Notification
from ...selectors import inbox as inbox_selectors
from ...services import calendar as calendar_services
from ...services import inbox as inbox_services
from ...services import people as people_services
from .. import serializers as s
from ..permissions import RoleTablePermission
from .base import DocketViewSet, ThrottleFirst, V, now


@extend_schema_view(
    list=extend_schema(summary="My inbox: the messages sent to me and to my role groups, newest first"),
    retrieve=extend_schema(summary="One message of my inbox"),
)
class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DocketViewSet):
    """Only the requesting person's messages (staff included): another person's are answered 404."""

    serializer_class = s.InboxMessageSerializer
    role_actions = {"list": V, "retrieve": V, "read": V, "read_all": V}
    idempotent_actions = ()
    ordering = None  # the selector's order: newest first
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Notification]:
        return inbox_selectors.inbox_of(self.request.user)

    @extend_schema(
        summary="Mark one of my messages read", request=None, responses={200: s.InboxMessageSerializer}
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        message = self.get_object()
        inbox_services.mark_read(user=request.user, notification=message, now=now())
        return self.render(s.InboxMessageSerializer, self.get_queryset().get(pk=message.pk))

    @extend_schema(
        summary="Mark all my messages read", request=None, responses={200: s.InboxReadAllSerializer}
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        marked = inbox_services.mark_all_read(user=request.user, now=now())
        return Response({"marked": marked, "unread": inbox_selectors.reader(request.user).unread})


class PreferenceView(ThrottleFirst):
    """My own settings: the zone work instants are shown in."""

    permission_classes = [IsAuthenticated]

    def _body(self, request: Request) -> dict[str, str]:
        return {
            "time_zone": instants.preferred_zone_name(request.user),
            "effective_time_zone": instants.viewer_zone(request.user).key,
        }

    @extend_schema(summary="My settings", responses={200: s.PreferenceSerializer})
    def get(self, request: Request) -> Response:
        return Response(s.PreferenceSerializer(self._body(request)).data)

    @extend_schema(
        summary="Change my settings (the zone of due dates and reminders)",
        request=s.PreferenceSerializer,
        responses={200: s.PreferenceSerializer},
    )
    def patch(self, request: Request) -> Response:
        serializer = s.PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        people_services.set_time_zone(
            user=request.user, time_zone=serializer.validated_data["time_zone"], now=now()
        )
        return Response(s.PreferenceSerializer(self._body(request)).data)


class CalendarFeedView(ThrottleFirst):
    """My calendar feed's secret address: made, or replaced (the old one stops working at once)."""

    permission_classes = [RoleTablePermission]
    role_actions = {"calendar": V}
    action = "calendar"

    @extend_schema(
        summary="Make (or replace) my calendar feed's address; it is shown only in this answer",
        request=None,
        responses={200: s.CalendarFeedSerializer},
    )
    def post(self, request: Request) -> Response:
        token, first = calendar_services.renew_feed_token(user=request.user, now=now())
        url = request.build_absolute_uri(reverse("calendar_feed", args=[token]))
        response = Response(s.CalendarFeedSerializer({"url": url, "replaced": not first}).data)
        response["Cache-Control"] = "no-store"
        return response
