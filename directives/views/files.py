"""Downloads of directive documents and task evidence.

Files are never served by a static route (``MEDIA_URL`` points nowhere): only these views, after the
role table says the user may view the directive the file belongs to. The response is always an
attachment (never rendered inline by the browser), with ``nosniff``, a sandboxing CSP and the stored
SHA-256 in ``Repr-Digest`` so the receiver can check the bytes.

URL names, for templates: ``{% url 'document_download' doc.directive_id doc.pk %}`` and
``{% url 'evidence_download' ev.task_id ev.pk %}``. The short forms with only the file's pk
(``{% url 'document_download' doc.pk %}``) resolve to the same views.
"""

from __future__ import annotations

import base64
import logging
import re
import unicodedata

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_safe

from ..choices import EvidenceKind
from ..models import Directive, DirectiveDocument, Evidence
from ..permissions import Action, can

logger = logging.getLogger("docket.files")

_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def download_name(original: str, fallback: str) -> str:
    """The user's file name made safe for a Content-Disposition header: no path, no control or
    direction-override characters, no leading dots, at most 200 characters."""
    name = original.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = _UNSAFE.sub("", name).strip().lstrip(".")
    try:
        name = get_valid_filename(name)
    except Exception:  # SuspiciousFileOperation for names that reduce to nothing
        name = ""
    return (name or fallback)[:200]


def _allowed(request: HttpRequest, directive: Directive) -> HttpResponse | None:
    """None when the user may view ``directive``; otherwise the refusal (anonymous users go to log in)."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return redirect_to_login(request.get_full_path())
    if not can(user, Action.VIEW, directive):
        logger.warning(
            "file download refused",
            extra={"user_id": user.pk, "directive_id": directive.pk, "path": request.path},
        )
        raise PermissionDenied("Your role does not allow you to see this directive's files.")
    return None


def _serve(file: FieldFile, *, name: str, content_type: str, sha256: str, what: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        logger.error("stored file missing", extra={"file": file.name, "what": what})
        raise Http404(f"The stored file for this {what} is missing; tell an administrator.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were persuaded to render it, the file gets no script, no same-origin rights.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    if sha256:
        digest = base64.b64encode(bytes.fromhex(sha256)).decode()
        response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response


@require_safe
def document_download(request: HttpRequest, pk: int, directive_pk: int | None = None) -> HttpResponseBase:
    document = get_object_or_404(DirectiveDocument.objects.select_related("directive"), pk=pk)
    if directive_pk is not None and document.directive_id != directive_pk:
        raise Http404("No such document on this directive.")  # never another directive's file
    refusal = _allowed(request, document.directive)
    if refusal is not None:
        return refusal
    return _serve(
        document.file,
        name=download_name(document.original_name, f"document-{document.pk}"),
        content_type=document.content_type,
        sha256=document.sha256,
        what="document",
    )


@require_safe
def evidence_download(request: HttpRequest, pk: int, task_pk: int | None = None) -> HttpResponseBase:
    evidence = get_object_or_404(Evidence.objects.select_related("task__directive"), pk=pk)
    if task_pk is not None and evidence.task_id != task_pk:
        raise Http404("No such evidence on this task.")
    refusal = _allowed(request, evidence.task.directive)
    if refusal is not None:
        return refusal
    if evidence.kind != EvidenceKind.FILE or not evidence.file:
        raise Http404("This evidence is a link, not a file.")
    return _serve(
        evidence.file,
        name=download_name(evidence.original_name, f"evidence-{evidence.pk}"),
        content_type=evidence.content_type,
        sha256=evidence.sha256,
        what="evidence",
    )


urlpatterns = [
    path(
        "directives/<int:directive_pk>/documents/<int:pk>/download/",
        document_download,
        name="document_download",
    ),
    path("documents/<int:pk>/download/", document_download, name="document_download"),
    path("tasks/<int:task_pk>/evidence/<int:pk>/download/", evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/download/", evidence_download, name="evidence_download"),
]
