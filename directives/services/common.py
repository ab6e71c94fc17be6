from __future__ import annotations

import hashlib
import re
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F

from ..errors import InvalidInput, StaleVersion

M = TypeVar("M", bound=models.Model)
MAX_WEB_ADDRESS = 2000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Outlook .msg (and old Office) files start with it
# The accepted types whose files must begin with their format's signature, and what such a file is called
# (files of the other accepted types are taken by their type).
SIGNATURES = {
    "application/pdf": (b"%PDF", "a PDF"),
    "application/vnd.ms-outlook": (OLE_MAGIC, "an Outlook message"),
}


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
    signature, kind = SIGNATURES.get(content_type, (b"", ""))
    if not head.startswith(signature):
        raise InvalidInput(f"{upload.name} says it is {kind} but is not one.", field="file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    try:
        name = get_valid_filename((upload.name or "upload").split("/")[-1].split("\\")[-1])[:200]
    except Exception:
        name = "upload"
    return digest.hexdigest(), name, size


# The web addresses Docket takes (webhook endpoints, evidence links, where a statement was published), on the
# pages and in the API alike; the OpenAPI schema states this very pattern, and the API checks it on the text as
# sent, so the schema and the API agree exactly. It is a part of what Django's URLValidator accepts (which runs
# too; tests/services/test_web_addresses.py checks that every match passes it):
# - the scheme http or https, in lower case; no user name or password before the host;
# - a host of at most 253 characters: labels of ASCII letters, digits and hyphens (1 to 63, no hyphen at
#   either end) separated by dots and ending in a top-level domain of letters (2 to 63, hyphens inside) or a
#   punycode one (``xn--``), optionally with a final dot; or ``localhost``; or an IPv4 address. An
#   internationalized name is written in its punycode (``xn--``) form; an IPv6 address needs a host name;
# - an optional port from 1 to 65535, without leading zeros;
# - then a path, query or fragment, without whitespace or NUL.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LEVEL = r"(?:[A-Za-z][A-Za-z-]{0,61}[A-Za-z]|xn--[A-Za-z0-9]{1,59})"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
WEB_ADDRESS_PATTERN = (
    r"^https?://"
    r"(?![^:/?#]{254})"  # a host of at most 253 characters (a look-ahead that generators handle quickly)
    rf"(?:{_LABEL}(?:\.{_LABEL})*\.{_TOP_LEVEL}\.?|localhost|{_OCTET}(?:\.{_OCTET}){{3}})"
    rf"(?::{_PORT})?"
    r"(?:[/?#][^\s\x00]*)?$"
)
WEB_ADDRESS_TEXT = (
    "an http or https address with a host name (in its xn-- form if internationalized), localhost or an IPv4 "
    "address, an optional port from 1 to 65535, and no spaces"
)
_WEB_ADDRESS = re.compile(WEB_ADDRESS_PATTERN)
_URL_VALIDATOR = URLValidator(schemes=["http", "https"])


def is_web_address(value: str) -> bool:
    """Whether ``value`` is a web address Docket takes (``WEB_ADDRESS_PATTERN``, searched as JSON Schema's
    ``pattern`` is)."""
    if not _WEB_ADDRESS.search(value):
        return False
    try:
        _URL_VALIDATOR(value.strip())
    except ValidationError:
        return False
    return True


def require_web_address(value: Any, *, field: str, blank: bool = False) -> str:
    """``value`` as text (``require_text``) that is a web address Docket takes, or "" when ``blank`` allows."""
    url = require_text(value, field=field, max_length=MAX_WEB_ADDRESS, blank=blank)
    if (url or not blank) and not is_web_address(url):
        raise InvalidInput(f"{url[:100]!r} is not {WEB_ADDRESS_TEXT}.", field=field)
    return url
