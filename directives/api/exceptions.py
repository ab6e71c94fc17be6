"""One error shape for every API failure: ``{"detail", "code", "field"}``.

Domain errors keep their own status (400 invalid input, 403 refused, 409 invalid transition or stale
version); a stale version also carries the record as it now is, so the client can show it and retry.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import models
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import DomainError, StaleVersion
from .serializers import representation_for


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the API accepts."
    default_code = "too_large"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used for a different request."
    default_code = "idempotency_key_reused"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code, "field": exc.field}
        if isinstance(exc, StaleVersion):
            body["current_version"] = exc.context.get("current_version")
            body["current"] = _represent(exc.context.get("current"), context)
        return Response(body, status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge(f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_error(exc.detail)
        codes = exc.get_codes()
        code = _first_code(codes) or "invalid"
        response.data = {
            "detail": f"{field}: {message}" if field else message,
            "code": code,
            "field": field,
            "errors": exc.detail,
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        response.data = {
            "detail": str(detail if not isinstance(detail, list | dict) else _first_error(detail)[1]),
            "code": _first_code(exc.get_codes()) or "error",
            "field": None,
        }
    return response


def _first_error(detail: Any, prefix: str = "") -> tuple[str | None, str]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key)
            if name == "non_field_errors":
                sub_field, message = _first_error(value, prefix)
                return sub_field or (prefix or None), message
            return _first_error(value, f"{prefix}.{name}" if prefix else name)
        return prefix or None, "Invalid input."
    if isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                return _first_error(item, f"{prefix}.{index}" if prefix else str(index))
            return prefix or None, str(item)
        return prefix or None, "Invalid input."
    return prefix or None, str(detail)


def _first_code(codes: Any) -> str | None:
    if isinstance(codes, str):
        return codes
    if isinstance(codes, dict):
        for value in codes.values():
            found = _first_code(value)
            if found:
                return found
    if isinstance(codes, list):
        for value in codes:
            found = _first_code(value)
            if found:
                return found
    return None


def _represent(obj: Any, context: dict[str, Any]) -> Any:
    if not isinstance(obj, models.Model):
        return None
    return representation_for(obj, request=context.get("request"))


@csrf_exempt  # nothing is written; and an API client has no CSRF cookie to send
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's shape, not with the HTML error page."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path[:200]}.", "code": "not_found", "field": None},
        status=404,
    )
