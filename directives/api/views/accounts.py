"""Who I am, and a token for a username and password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ...permissions import ROLE_TABLE, can, roles_of
from .. import serializers as s
from ..throttling import ScopedRateThrottle
from .base import ThrottleFirst

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


class InvalidCredentials(exceptions.APIException):
    """A username and password that do not sign anyone in: 401, like any refused credentials."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "Unable to log in with that username and password."
    default_code = "invalid_credentials"


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
            raise InvalidCredentials()
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, InvalidCredentials):
            response["WWW-Authenticate"] = 'Token realm="api"'
        return response
