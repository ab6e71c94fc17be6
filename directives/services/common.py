from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import F

from ..errors import InvalidInput, StaleVersion

M = TypeVar("M", bound=models.Model)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Outlook .msg (and old Office) files start with it


def conditional_update(obj: M, *, expected_version: int | None, changes: dict[str, Any]) -> M:
    """Write ``changes`` only if the row still has ``expected_version`` (or its in-memory version when
    the caller did not read it separately). A lost race raises ``StaleVersion`` naming who changed it."""
    model = type(obj)
    version = obj.version if expected_version is None else expected_version  # type: ignore[attr-defined]
    updated = model._default_manager.filter(pk=obj.pk, version=version).update(
        **changes, version=F("version") + 1
    )
    if updated != 1:
        raise _stale(model, obj.pk, version)
    for name, value in changes.items():
        if not isinstance(value, F | models.Expression):
            setattr(obj, name, value)
    obj.refresh_from_db(
        fields=["version", *[k for k, v in changes.items() if isinstance(v, F | models.Expression)]]
    )
    return obj


def check_version(obj: models.Model, *, expected_version: int | None) -> None:
    """For an action that adds to a record without changing its own fields (a task or an obligation of a
    directive): refuse with ``StaleVersion`` when the record changed since the person read it at
    ``expected_version``; ``None`` checks nothing."""
    if expected_version is None:
        return
    model = type(obj)
    if not model._default_manager.filter(pk=obj.pk, version=expected_version).exists():
        raise _stale(model, obj.pk, expected_version)


def _stale(model: type[models.Model], pk: Any, version: int) -> StaleVersion:
    current = model._default_manager.get(pk=pk)
    who = getattr(getattr(current, "updated_by", None), "username", None)
    by = f" by {who}" if who else ""
    return StaleVersion(
        f"This {model._meta.verbose_name} was changed{by} since you opened it "
        f"(your version {version}, now {current.version}). Review the current state and try again.",  # type: ignore[attr-defined]
        current_version=current.version,  # type: ignore[attr-defined]
        current=current,
    )


def require_text(value: Any, *, field: str, max_length: int | None = None, blank: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text.", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character, which cannot be stored.", field=field)
    stripped = value.strip()
    if not blank and not stripped:
        raise InvalidInput(f"{field} is required.", field=field)
    if max_length is not None and len(stripped) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters ({len(stripped)}).", field=field)
    return stripped


def check_upload(upload: UploadedFile) -> tuple[str, str, int]:
    """Validate an uploaded file's size and type; return (sha256, safe original name, size)."""
    from django.utils.text import get_valid_filename

    base = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    if not base.strip(". "):
        raise InvalidInput(
            "A file needs a name: one was sent named only with dots or slashes (such as '..'). Rename it "
            "and upload it again.",
            field="file",
        )
    size = upload.size or 0
    limit = settings.DOCKET_MAX_UPLOAD_BYTES
    if size > limit:
        raise InvalidInput(
            f"{upload.name} is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB.",
            field="file",
        )
    if size == 0:
        raise InvalidInput(f"{upload.name} is empty.", field="file")
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in settings.DOCKET_ALLOWED_UPLOAD_TYPES:
        raise InvalidInput(
            f"{upload.name}: files of type {content_type or 'unknown'} are not accepted "
            f"(allowed: PDF, PNG, JPEG, text, CSV, JSON, Word, e-mail).",
            field="file",
        )
    head = upload.read(8)
    upload.seek(0)
    if content_type == "application/pdf" and not head.startswith(b"%PDF"):
        raise InvalidInput(f"{upload.name} says it is a PDF but is not one.", field="file")
    if content_type == "application/vnd.ms-outlook" and head != OLE_MAGIC:
        raise InvalidInput(f"{upload.name} says it is an Outlook message but is not one.", field="file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    try:
        name = get_valid_filename((upload.name or "upload").split("/")[-1].split("\\")[-1])[:200]
    except Exception:
        name = "upload"
    return digest.hexdigest(), name, size
