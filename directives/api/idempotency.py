"""``Idempotency-Key`` on creating POSTs: a retried request gets the stored response, not a second record.

The key row is written in the same transaction as the record it answers for: either both exist or
neither. Two concurrent requests with one key serialise on the (user, key) unique constraint; the loser
answers from the winner's stored response. Only successful responses are stored, so a request that
failed (bad input, a refusal) can be corrected and retried with the same key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from ..models import IdempotencyKey
from .exceptions import IdempotencyKeyReused

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, no spaces


def fingerprint(request: Request) -> str:
    body = json.dumps(
        _canonical(request.data), sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=True
    )
    raw = f"{request.method} {request.path}\n{body}".encode()
    return hashlib.sha256(raw).hexdigest()


def _canonical(data: Any) -> Any:
    """A multipart body as every value of each part, a file as its name and SHA-256 (two requests with the
    same file names but other files are different requests); a JSON body as it is."""
    if isinstance(data, MultiValueDict):
        return {key: [_canonical(value) for value in data.getlist(key)] for key in data}
    if isinstance(data, UploadedFile):
        digest = hashlib.sha256()
        for chunk in data.chunks():
            digest.update(chunk)
        data.seek(0)
        return {"file": data.name, "sha256": digest.hexdigest()}
    return data


def idempotent(request: Request, perform: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return perform()
    if not _KEY.fullmatch(key):
        raise serializers.ValidationError(
            {HEADER: ["Idempotency-Key must be 1 to 255 visible ASCII characters (e.g. a UUID)."]}
        )
    digest = fingerprint(request)
    user: Any = request.user  # creating views are never anonymous: permissions ran first
    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is not None:
        return _replay(stored, digest, request)
    try:
        with transaction.atomic():
            response = perform()
            if 200 <= response.status_code < 300:
                IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "POST",
                    path=request.path[:500],
                    fingerprint=digest,
                    response_status=response.status_code,
                    response_body=_jsonable(response.data),
                    created_at=timezone.now(),
                )
    except IntegrityError:
        stored = IdempotencyKey.objects.filter(user=user, key=key).first()
        if stored is None:
            raise
        return _replay(stored, digest, request)
    return response


def _replay(stored: IdempotencyKey, digest: str, request: Request) -> Response:
    if stored.fingerprint != digest:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {stored.key!r} was already used for a different request "
            f"({stored.method} {stored.path} with another body); use a new key for a new request."
        )
    return Response(stored.response_body, status=stored.response_status, headers={REPLAY_HEADER: "true"})


def _jsonable(data: Any) -> Any:
    return json.loads(JSONRenderer().render(data))
