"""OpenAPI generation: every operation documents the errors it can answer with, in the one error
shape, and the headers it reads (``Idempotency-Key`` on creating POSTs, ``If-Match`` on versioned writes)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from ..choices import DeadlineRule
from ..deadlines import MAX_AMOUNT
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
# What the versioned views accept as If-Match: the version number, optionally quoted (an ETag) or weak.
IF_MATCH_PATTERN = r'^[ \t]*(?:W/)?"?([0-9]{1,18})"?[ \t]*$'
IF_MATCH_PARAMETER = OpenApiParameter(
    name="If-Match",
    type={"type": "string", "pattern": IF_MATCH_PATTERN},
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
# so too): component name -> the fields. An operation with such a body requires the body.
AT_LEAST_ONE_OF = {
    "PatchedAuthorityEditInputRequest": (
        "name",
        "short_name",
        "jurisdiction",
        "time_zone",
        "calendar_country",
        "calendar_subdivision",
    ),
    "PatchedDirectiveAmendInputRequest": ("title", "reference", "summary", "scope", "effective_from"),
    "PatchedPreferenceRequest": ("time_zone",),
    "PatchedTaskEditInputRequest": ("title", "description", "priority"),
}
# Bodies that state an obligation's deadline: its rule decides what else it needs (a number of units within
# the rule's bounds, or the stated instant).
DEADLINE_BODIES = ("ObligationInputRequest", "NewObligationInputRequest")
# What Django's URL check accepts, as far as a pattern can say it: these schemes, a host of at most 253
# characters (DNS's limit) ending in a top-level domain of letters, localhost or an IP address.
URL_PATTERN = (
    r"^(https?|ftps?)://(?=[^/?#]{1,253}([/?#]|$))[^/?#]*?"
    r"(\.[A-Za-z]{2,63}\.?|localhost|\[[0-9A-Fa-f:.]+\]|[0-9]{1,3}(\.[0-9]{1,3}){3})(:[0-9]{1,5})?([/?#]|$)"
)
# Objects that refuse a field they do not know.
CLOSED_OBJECTS = ("ConventionOverrideRequest",)
# Lists whose items must differ (the serializer refuses a repeated one): component name -> the fields.
UNIQUE_ITEMS = {
    "WebhookEndpointRequest": ("events",),
    "PatchedWebhookEndpointRequest": ("events",),
}


def at_least_one_of(result: dict[str, Any], generator: Any, request: Any, public: Any) -> dict[str, Any]:
    """Postprocessing hook: ``anyOf`` one-field ``required`` lists for ``AT_LEAST_ONE_OF`` (and the body
    required where one of them is the request body), ``uniqueItems`` for ``UNIQUE_ITEMS``."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, fields in AT_LEAST_ONE_OF.items():
        if name in schemas:
            schemas[name]["anyOf"] = [{"required": [field]} for field in fields]
    for name, fields in UNIQUE_ITEMS.items():
        for field in fields:
            if name in schemas and field in schemas[name].get("properties", {}):
                schemas[name]["properties"][field]["uniqueItems"] = True
    for name in CLOSED_OBJECTS:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    for name in DEADLINE_BODIES:
        if name in schemas:
            schemas[name]["anyOf"] = _deadline_branches()
    for name, body in schemas.items():
        for prop in body.get("properties", {}).values() if name.endswith("Request") else ():
            if prop.get("format") == "uri":
                prop["pattern"] = URL_PATTERN
    _no_null_in_multipart(result, schemas)
    refs = {f"#/components/schemas/{name}" for name in AT_LEAST_ONE_OF}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body and any(
                media.get("schema", {}).get("$ref") in refs for media in body["content"].values()
            ):
                body["required"] = True
    return result


def _deadline_branches() -> list[dict[str, Any]]:
    branches: list[dict[str, Any]] = [
        {"properties": {"deadline_rule": {"enum": [DeadlineRule.IMMEDIATELY.value]}}}
    ]
    for rule, most in MAX_AMOUNT.items():
        branches.append(
            {
                "required": ["deadline_amount"],
                "properties": {
                    "deadline_rule": {"enum": [rule.value]},
                    "deadline_amount": {"type": "integer", "minimum": 0, "maximum": most},
                },
            }
        )
    branches.append(
        {
            "required": ["deadline_at"],
            "properties": {
                "deadline_rule": {"enum": [DeadlineRule.BY_INSTANT.value]},
                "deadline_at": {"type": "string", "format": "date-time"},
            },
        }
    )
    return branches


def _no_null_in_multipart(result: dict[str, Any], schemas: dict[str, Any]) -> None:
    """A multipart part is text: it cannot say null (a field left out is what null means there)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            media = (body or {}).get("content", {}).get("multipart/form-data")
            ref = (media or {}).get("schema", {}).get("$ref", "")
            component = schemas.get(ref.rsplit("/", 1)[-1]) if ref else None
            for prop in (component or {}).get("properties", {}).values():
                prop.pop("nullable", None)
