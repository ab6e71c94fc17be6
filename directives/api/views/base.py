"""What every API view shares: throttling before the permission check, the role table as the permission,
and the parse -> one service -> render steps of a viewset."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from django.utils import timezone
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ...errors import DomainError
from ...permissions import Action
from ..idempotency import idempotent
from ..permissions import ActionSpec, RoleTablePermission
from ..schema import IF_MATCH_PATTERN

V = Action.VIEW
_ETAG = re.compile(IF_MATCH_PATTERN)


class VersionRequired(DomainError):
    """A versioned write without the version the client read (RFC 6585: 428 Precondition Required)."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    code = "version_required"


class VersionsDisagree(DomainError):
    """``version`` in the body and ``If-Match`` name different versions: at most one of them is the record's
    current version, so the write is refused as a conflict, like a stale version."""

    status_code = status.HTTP_409_CONFLICT
    code = "version_mismatch"


def now() -> dt.datetime:
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
    # Actions whose body may be refused by a rule between its fields (422, ``InconsistentInput``): those
    # that take a counting convention.
    inconsistent_actions: ClassVar[tuple[str, ...]] = ()

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
            raise VersionsDisagree(
                f"version {body} and If-Match {from_header} disagree; send one.", field="version"
            )
        version = body if body is not None else from_header
        if version is None:
            raise VersionRequired(
                "Send the version you read (in the body, or as an If-Match header).", field="version"
            )
        return int(version)

    def optional_version(self, data: dict[str, Any]) -> int | None:
        """``expected_version`` for an action that may be sent without one (an addition): None when
        neither ``version`` nor ``If-Match`` was sent."""
        if data.get("version") is None and self.request.headers.get("If-Match") is None:
            return None
        return self.expected_version(data)

    def render(self, serializer_class: Any, obj: Any, *, code: int = status.HTTP_200_OK) -> Response:
        data = serializer_class(obj, context=self.get_serializer_context()).data
        headers = {"ETag": f'"{obj.version}"'} if hasattr(obj, "version") else None
        return Response(data, status=code, headers=headers)

    def create_response(self, perform: Any) -> Response:
        return idempotent(self.request, perform)
