"""The intake: a directive as received, with the products it names, its obligations and, as
multipart/form-data, its documents: what ``services.intake.log_intake`` takes."""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers

from ...choices import DeliveryChannel, DirectiveKind, Posture
from ...errors import DomainError
from ...models import Authority, Product
from ...services.common import check_upload
from ..fields import (
    AwareDateTimeField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
)
from .links import LinkInput
from .obligations import NewObligationInput

MAX_DOCUMENTS = settings.DATA_UPLOAD_MAX_NUMBER_FILES
_INTEGER = re.compile(r"[0-9]{1,19}")


class AffectedProductInput(serializers.Serializer):
    product = StrictPrimaryKeyRelatedField(queryset=Product.objects.all())
    required_action = StrictCharField(max_length=300)


class DirectiveInput(serializers.Serializer):
    authority = StrictPrimaryKeyRelatedField(queryset=Authority.objects.all())
    reference = StrictCharField(max_length=120)
    title = StrictCharField(max_length=300)
    kind = StrictChoiceField(choices=DirectiveKind.choices)
    summary = StrictCharField(max_length=20_000, required=False, allow_blank=True, default="")
    full_text = StrictCharField(max_length=1_000_000, required=False, allow_blank=True, default="")
    received_at = AwareDateTimeField(help_text="When the order reached the company (ISO 8601 with offset)")
    delivery_channel = StrictChoiceField(choices=DeliveryChannel.choices, required=False, default="email")
    effective_from = AwareDateTimeField(required=False, allow_null=True, default=None)
    posture = StrictChoiceField(choices=Posture.choices, required=False, default="undecided")
    products = AffectedProductInput(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True, required=False, default=list, max_length=100
    )
    obligations = NewObligationInput(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True, required=False, default=list, max_length=100
    )
    links = LinkInput(  # type: ignore[call-arg]  # ListSerializer takes max_length
        many=True,
        required=False,
        default=list,
        max_length=20,
        help_text="Directives already logged that this one amends, supersedes, responds to or relates to",
    )

    def validate_products(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [item["product"].pk for item in value]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("A product is listed twice.")
        return value


class DirectiveUploadInput(DirectiveInput):
    """The same intake as ``multipart/form-data``, with the directive's documents as files. Every other
    part is text, as a form sends it: ``authority`` its id; one ``products`` part per product, one
    ``obligations`` part per obligation and one ``links`` part per link, each holding that item as a JSON
    object; one ``documents`` part per file."""

    documents = serializers.ListField(
        child=serializers.FileField(max_length=255),
        required=False,
        default=list,
        max_length=MAX_DOCUMENTS,
        help_text="The order as received and anything that came with it, one part per file: each not empty, "
        "within the upload limit and of an accepted type (its part's Content-Type, one of the encoding's; a "
        "PDF begins with %PDF, an Outlook message with its OLE signature). The SHA-256 of each is recorded.",
    )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, MultiValueDict):
            data = _from_form(self, data)
        return super().to_internal_value(data)

    def validate_documents(self, value: list[UploadedFile]) -> list[UploadedFile]:
        for upload in value:
            try:
                check_upload(upload)
            except DomainError as exc:
                raise serializers.ValidationError(exc.message) from exc
        return value


def _from_form(serializer: serializers.Serializer, data: MultiValueDict) -> dict[str, Any]:
    """A multipart body in the shape of the JSON one: JSON items parsed, integers read from their text;
    every other value as sent (a field refuses what is not its type)."""
    values: dict[str, Any] = {}
    for name, field in serializer.fields.items():
        if name not in data:
            continue
        if isinstance(field, serializers.ListSerializer):
            values[name] = _json_objects(name, data.getlist(name))
        elif isinstance(field, serializers.ListField):
            values[name] = data.getlist(name)
        elif isinstance(field, StrictPrimaryKeyRelatedField | StrictIntegerField):
            text = data[name]
            values[name] = int(text) if isinstance(text, str) and _INTEGER.fullmatch(text) else text
        else:
            values[name] = data[name]
    return values


def _json_objects(name: str, parts: list[Any]) -> list[Any]:
    """A list of objects sent as one JSON part each, or as one part holding the JSON array (what the
    schema's ``encoding`` says: the property as ``application/json``)."""
    if len(parts) == 1 and isinstance(parts[0], str) and parts[0].lstrip().startswith("["):
        try:
            items = json.loads(parts[0])
        except (ValueError, RecursionError) as exc:
            raise serializers.ValidationError({name: [f"Part 1 is not JSON: {str(exc)[:100]}"]}) from exc
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise serializers.ValidationError(
                {name: ["Each item must be a JSON object (a part each, or one part holding the array)."]}
            )
        return items
    return [_json_object(name, i, part) for i, part in enumerate(parts)]


def _json_object(name: str, index: int, part: Any) -> Any:
    if not isinstance(part, str):
        raise serializers.ValidationError(
            {name: [f"Part {index + 1}: send the item as JSON text, not a file."]}
        )
    try:
        item = json.loads(part)
    except (ValueError, RecursionError) as exc:
        raise serializers.ValidationError(
            {name: [f"Part {index + 1} is not JSON: {str(exc)[:100]}"]}
        ) from exc
    if not isinstance(item, dict):
        raise serializers.ValidationError({name: [f"Part {index + 1} must be a JSON object."]})
    return item
