"""Upload handling that keeps an oversized file from filling the disk.

Django streams a file larger than FILE_UPLOAD_MAX_MEMORY_SIZE into a temporary file, whatever its size.
This handler stores at most DOCKET_MAX_UPLOAD_BYTES + 1 bytes of each file and discards the rest, while
still reporting the file's real size: ``check_upload`` then refuses it with the real figure ("scan.pdf is
2.0 GB; the limit is 25 MB"). A file within the limit is stored whole, as before."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import ImmutableList
from rest_framework import exceptions, parsers


class BoundedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        keep = int(settings.DOCKET_MAX_UPLOAD_BYTES) + 1 - start
        if keep > 0:
            self.file.write(raw_data[:keep])
        return None

    def file_complete(self, file_size: int) -> Any:
        return super().file_complete(file_size)  # the real size, for the refusal message


# A file part whose name is nothing but dots and slashes ("..", "../..") is kept under this name (one that
# Django's file objects accept) instead of being dropped without a word as Django's parser does, so that
# check_upload refuses it with a message.
UNUSABLE_NAME = "..."


class KeepUnusableNamesMultiPartParser(MultiPartParser):
    def sanitize_file_name(self, file_name: str) -> str | None:
        clean = super().sanitize_file_name(file_name)
        return UNUSABLE_NAME if clean is None and file_name.strip() else clean


class UploadNamesMiddleware:
    """Form posts parse their files with ``KeepUnusableNamesMultiPartParser``."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        request.parse_file_upload = partial(_parse_file_upload, request)  # type: ignore[method-assign]
        return self.get_response(request)


def _parse_file_upload(request: HttpRequest, meta: Any, post_data: Any) -> Any:
    request.upload_handlers = ImmutableList(request.upload_handlers, warning="Uploads are being parsed.")
    return KeepUnusableNamesMultiPartParser(
        meta, post_data, request.upload_handlers, request.encoding
    ).parse()


class DocketMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser on ``KeepUnusableNamesMultiPartParser``."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        context = parser_context or {}
        request = context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        parser = KeepUnusableNamesMultiPartParser(
            meta, stream, request.upload_handlers, context.get("encoding", settings.DEFAULT_CHARSET)
        )
        try:
            data, files = parser.parse()
        except MultiPartParserError as exc:
            raise exceptions.ParseError(f"Multipart form parse error - {exc}") from exc
        # Django's own limits raise SuspiciousOperation, which would answer its HTML 400 page: the API's
        # client gets its JSON error instead.
        except TooManyFilesSent as exc:
            raise exceptions.ParseError(
                f"Too many files: at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} in one request."
            ) from exc
        except TooManyFieldsSent as exc:
            raise exceptions.ParseError(
                f"Too many fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} in one request."
            ) from exc
        except RequestDataTooBig as exc:
            raise RequestTooLarge() from exc
        return parsers.DataAndFiles(data, files)


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request's form fields are larger than the limit (DATA_UPLOAD_MAX_MEMORY_SIZE)."
    default_code = "request_too_large"
