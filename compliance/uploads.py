"""Upload handling that keeps an oversized file from filling the disk.

Django streams a file larger than FILE_UPLOAD_MAX_MEMORY_SIZE into a temporary file, whatever its size.
This handler stores at most DOCKET_MAX_UPLOAD_BYTES + 1 bytes of each file and discards the rest, while
still reporting the file's real size: ``check_upload`` then refuses it with the real figure ("scan.pdf is
2.0 GB; the limit is 25 MB"). A file within the limit is stored whole, as before."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class BoundedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        keep = int(settings.DOCKET_MAX_UPLOAD_BYTES) + 1 - start
        if keep > 0:
            self.file.write(raw_data[:keep])
        return None

    def file_complete(self, file_size: int) -> Any:
        return super().file_complete(file_size)  # the real size, for the refusal message
