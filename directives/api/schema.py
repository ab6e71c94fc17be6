"""OpenAPI generation: every operation documents the errors it can answer with, in the one error
shape, and the headers it reads (``Idempotency-Key`` on creating POSTs, ``If-Match`` on versioned writes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from ..choices import DeadlineRule
from ..deadlines import MAX_AMOUNT
from ..services.common import SIGNATURES, WEB_ADDRESS_PATTERN
from .serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input (including a date-time without a UTC offset); nothing was written.",
    "401": "Not authenticated: send `Authorization: Token <token>` or use a session.",
    "403": "Authenticated, but the role table does not allow this (or this object) for you.",
    "404": "No such record (or page).",
    "409": "Conflict: a transition the state table refuses, or a stale `version` "
    "(the body then carries `current_version` and `current`, the record as it is now).",
    "422": "This Idempotency-Key was already used for a different request.",
    "422 inconsistent": "Each value is well-formed but two of them disagree (code `inconsistent`, `field` naming "
    "the one to change): a custom convention's business hours that open at or after they close, a preset's "
    "day end the preset does not allow, or a new directive's obligation whose stated deadline is before the "
    "receipt sent with it. A rule between fields, which the schema cannot state.",
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

    def _may_be_inconsistent(self) -> bool:
        return self.method in ("POST", "PATCH") and getattr(self.view, "action", None) in getattr(
            self.view, "inconsistent_actions", ()
        )

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
        descriptions = {code: ERROR_DESCRIPTIONS[code] for code in COMMON_ERRORS}
        unprocessable = [
            ERROR_DESCRIPTIONS[reason]
            for reason, applies in (
                ("422", self._is_idempotent_create()),
                ("422 inconsistent", self._may_be_inconsistent()),
            )
            if applies
        ]
        if unprocessable:
            descriptions["422"] = " Or: ".join(unprocessable)
        if self._is_versioned_write():
            descriptions["428"] = ERROR_DESCRIPTIONS["428"]
        for code, description in descriptions.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, direction=direction
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
# Request bodies that carry exactly one of some fields (the serializer refuses neither and both): component
# name -> the fields.
EXACTLY_ONE_OF = {"TaskEvidenceInputRequest": ("url", "file")}
# Objects that refuse a field they do not know.
CLOSED_OBJECTS = ("ConventionOverrideRequest",)
# Lists whose items must differ (the serializer refuses a repeated one): component name -> the fields.
UNIQUE_ITEMS = {
    "WebhookEndpointRequest": ("events",),
    "PatchedWebhookEndpointRequest": ("events",),
}


def at_least_one_of(result: dict[str, Any], generator: Any, request: Any, public: Any) -> dict[str, Any]:
    """Postprocessing hook: ``anyOf`` one-field ``required`` lists for ``AT_LEAST_ONE_OF`` (and the body
    required where one of them is the request body), ``oneOf`` for ``EXACTLY_ONE_OF``, ``uniqueItems`` for
    ``UNIQUE_ITEMS``, the web address pattern on every ``format: uri`` a request takes and ``text_pattern``
    on its other text, and what multipart parts may be."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, fields in AT_LEAST_ONE_OF.items():
        if name in schemas:
            schemas[name]["anyOf"] = [{"required": [field]} for field in fields]
    for name, fields in UNIQUE_ITEMS.items():
        for field in fields:
            if name in schemas and field in schemas[name].get("properties", {}):
                schemas[name]["properties"][field]["uniqueItems"] = True
    for name, fields in EXACTLY_ONE_OF.items():
        if name in schemas:
            schemas[name]["oneOf"] = [{"required": [field]} for field in fields]
    for name in CLOSED_OBJECTS:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    for name in DEADLINE_BODIES:
        if name in schemas:
            schemas[name]["anyOf"] = _deadline_branches()
    for name, body in schemas.items():
        for prop in body.get("properties", {}).values() if name.endswith("Request") else ():
            for branch in [prop, *prop.get("oneOf", ())]:
                if branch.get("format") == "uri":
                    branch["pattern"] = WEB_ADDRESS_PATTERN
                elif branch.get("type") == "string" and not {"pattern", "enum", "format"} & branch.keys():
                    branch["pattern"] = text_pattern(branch.get("minLength", 0))
    _multipart_parts(result, schemas)
    refs = {f"#/components/schemas/{name}" for name in AT_LEAST_ONE_OF}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body and any(
                media.get("schema", {}).get("$ref") in refs for media in body["content"].values()
            ):
                body["required"] = True
    return result


def text_pattern(shortest: int) -> str:
    """What a text field takes, as a pattern: no NUL character (DRF refuses one, and no database column could
    hold it), and, as the field strips surrounding whitespace before it counts, at least ``shortest``
    characters from the first that is not whitespace to the last."""
    if shortest <= 0:
        return r"^[^\x00]*$"
    if shortest == 1:
        return r"^\s*[^\s\x00][^\x00]*$"
    return rf"^\s*[^\s\x00][^\x00]{{{shortest - 2},}}[^\s\x00]\s*$"


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


def _multipart_parts(result: dict[str, Any], schemas: dict[str, Any]) -> None:
    """What a multipart part can be. Text: it cannot say null (a field left out is what null means there).
    A file (``check_upload``): not empty, at most ``DOCKET_MAX_UPLOAD_BYTES``, and sent as one of the accepted
    types (the part's ``Content-Type``, the ``encoding``'s ``contentType``)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            media = (body or {}).get("content", {}).get("multipart/form-data")
            ref = (media or {}).get("schema", {}).get("$ref", "")
            component = schemas.get(ref.rsplit("/", 1)[-1]) if ref else None
            for name, prop in (component or {}).get("properties", {}).items():
                prop.pop("nullable", None)
                file = prop.get("items", prop)
                if file.get("format") == "binary":
                    file.update(minLength=1, maxLength=settings.DOCKET_MAX_UPLOAD_BYTES)
                    media.setdefault("encoding", {})[name] = {"contentType": ", ".join(upload_types())}


def upload_types() -> list[str]:
    """The accepted types of a file, those whose files need a signature (``SIGNATURES``) last: a client
    that sends the first listed type with any non-empty content is accepted."""
    return sorted(settings.DOCKET_ALLOWED_UPLOAD_TYPES, key=lambda kind: kind in SIGNATURES)
