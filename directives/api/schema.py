"""OpenAPI generation: every operation documents the errors it can answer with, in the one error
shape, and the headers it reads (``Idempotency-Key`` on creating POSTs, ``If-Match`` on versioned writes)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input (including a date-time without a UTC offset); nothing was written.",
    "401": "Not authenticated: send `Authorization: Token <token>` or use a session.",
    "403": "Authenticated, but the role table does not allow this (or this object) for you.",
    "404": "No such record (or page).",
    "409": "Conflict: a transition the state table refuses, or a stale `version` "
    "(the body then carries `current_version` and `current`, the record as it is now).",
    "422": "This Idempotency-Key was already used for a different request.",
    "428": "Neither `version` in the body nor an `If-Match` header: send the version you read.",
    "429": "Too many requests: throttled; retry after the `Retry-After` header's seconds.",
}
COMMON_ERRORS = ("400", "401", "403", "404", "409", "429")

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    # What idempotency.py accepts: 1 to 255 visible ASCII characters.
    type={"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description="Optional. A retried request with the same key returns the stored response instead of "
    "creating twice; the same key with a different body gets 422. 1-255 visible ASCII characters.",
)
IF_MATCH_PARAMETER = OpenApiParameter(
    name="If-Match",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description='The version you read (e.g. "3"), instead of `version` in the body.',
)


class DocketAutoSchema(AutoSchema):
    def _is_idempotent_create(self) -> bool:
        if self.method != "POST":
            return False
        action = getattr(self.view, "action", None)
        return bool(action in getattr(self.view, "idempotent_actions", ()))

    def _is_versioned_write(self) -> bool:
        return self.method in ("POST", "PATCH") and getattr(self.view, "action", None) in getattr(
            self.view, "versioned_actions", ()
        )

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        if self._is_idempotent_create():
            params.append(IDEMPOTENCY_PARAMETER)
        if self._is_versioned_write():
            params.append(IF_MATCH_PARAMETER)
        return params

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        codes = list(COMMON_ERRORS)
        if self._is_idempotent_create():
            codes.append("422")
        if self._is_versioned_write():
            codes.append("428")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses


# Request bodies that must carry at least one of some optional fields (the serializer's ``validate`` says
# so too): component name -> the fields.
AT_LEAST_ONE_OF = {"PatchedTaskEditInputRequest": ("title", "description", "priority")}


def at_least_one_of(result: dict[str, Any], generator: Any, request: Any, public: Any) -> dict[str, Any]:
    """Postprocessing hook: ``anyOf`` one-field ``required`` lists for ``AT_LEAST_ONE_OF``."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, fields in AT_LEAST_ONE_OF.items():
        if name in schemas:
            schemas[name]["anyOf"] = [{"required": [field]} for field in fields]
    return result
