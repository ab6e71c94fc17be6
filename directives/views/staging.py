"""Files of a submit that failed, kept so that the person does not choose them again.

A browser cannot re-fill a file input: when the intake form comes back with an error, its files stay on
the server under ``staging/<user>/<sha256>`` and the page carries a signed token for each. A token names
its user, so it cannot point at another user's file; staged files older than a day (abandoned forms) are
removed when the same user stages again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from ..errors import DomainError
from ..services.common import check_upload

logger = logging.getLogger("docket.views.staging")

STAGED_SALT = "docket.staged-upload"
STAGED_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class StagedUpload:
    """A file from a submit that failed, kept server-side so the person does not choose it again."""

    token: str
    name: str
    content_type: str
    size: int
    sha256: str


class StagedUploads:
    """One user's staged files."""

    def __init__(self, user_pk: int) -> None:
        self.user_pk = user_pk

    def _path(self, sha256: str) -> str:
        return f"staging/{self.user_pk}/{sha256}"

    def prune(self, now: dt.datetime) -> None:
        """Forget this user's staged files older than a day (abandoned forms)."""
        folder = f"staging/{self.user_pk}"
        try:
            _dirs, names = default_storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError, OSError):
            return
        for name in names:
            try:
                age = now - default_storage.get_modified_time(f"{folder}/{name}")
            except (NotImplementedError, OSError):
                continue
            if age.total_seconds() > STAGED_MAX_AGE:
                default_storage.delete(f"{folder}/{name}")

    def stage(self, upload: UploadedFile, sha256: str) -> StagedUpload:
        path_ = self._path(sha256)
        if not default_storage.exists(path_):
            upload.seek(0)
            default_storage.save(path_, upload)
        upload.seek(0)
        info = {
            "u": self.user_pk,
            "sha": sha256,
            "name": upload.name or "upload",
            "type": (upload.content_type or "").split(";")[0].strip(),
            "size": upload.size or 0,
        }
        token = signing.dumps(info, salt=STAGED_SALT)
        return StagedUpload(token, str(info["name"]), str(info["type"]), upload.size or 0, sha256)

    def stage_new(
        self, uploads: Iterable[UploadedFile], staged: list[StagedUpload], now: dt.datetime
    ) -> list[StagedUpload]:
        """``staged`` and the acceptable files of ``uploads`` that are not among them yet (a refused file
        is named in the form's errors, not kept)."""
        self.prune(now)
        kept = list(staged)
        for upload in uploads:
            try:
                sha256, _name, _size = check_upload(upload)
            except DomainError:
                continue
            if all(s.sha256 != sha256 for s in kept):
                kept.append(self.stage(upload, sha256))
        return kept

    def load(self, tokens: list[str]) -> tuple[list[StagedUpload], list[UploadedFile]]:
        staged: list[StagedUpload] = []
        files: list[UploadedFile] = []
        for token in tokens:
            try:
                info = signing.loads(token, salt=STAGED_SALT, max_age=STAGED_MAX_AGE)
            except signing.BadSignature:
                continue
            if info.get("u") != self.user_pk or not default_storage.exists(self._path(info["sha"])):
                continue
            with default_storage.open(self._path(info["sha"]), "rb") as handle:
                content = handle.read()
            staged.append(StagedUpload(token, info["name"], info["type"], len(content), info["sha"]))
            files.append(SimpleUploadedFile(info["name"], content, content_type=info["type"]))
        return staged, files

    def discard(self, items: list[StagedUpload]) -> None:
        for item in items:
            try:
                default_storage.delete(self._path(item.sha256))
            except OSError:  # pragma: no cover - best effort cleanup
                logger.warning("could not delete a staged upload", extra={"sha256": item.sha256})
