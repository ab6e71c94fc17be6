"""The API's JSON parser: the body is bounded before anything reads it.

A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes is refused with 413 before it is parsed (Django
raises ``RequestDataTooBig`` when DRF reads the body; ``api.exceptions`` answers it). A body nested deeper
than ``DOCKET_JSON_MAX_DEPTH`` arrays or objects is refused with 400: Python's parser would raise
``RecursionError`` long before it returned, and no input of the API is nested more than a few levels. A
lone surrogate (``"\\ud800"``) anywhere in the body, in a key or a value, is refused with 400: it is
valid JSON but not text, and it can be neither stored nor echoed back in an error message.

Every refusal names where it is: the top-level field when the body is an object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers

SURROGATES = range(0xD800, 0xE000)


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read() if stream is not None else b""
        encoding = ((parser_context or {}).get("encoding")) or settings.DEFAULT_CHARSET
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"The request body is not valid {encoding} text.") from exc
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            _refuse(_too_deep_field(text), f"Nested more than {max_depth()} levels deep.")
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error: {str(exc)[:200]}") from exc
        check_body(data)
        return data


def max_depth() -> int:
    return int(getattr(settings, "DOCKET_JSON_MAX_DEPTH", 32))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check_body(data: Any) -> None:
    """Refuse nesting deeper than ``max_depth()`` and lone surrogates, naming the top-level field; walks
    the parsed body without recursion."""
    limit = max_depth()
    for field, value, depth in _walk(data):
        if depth > limit:
            _refuse(field, f"Nested more than {limit} levels deep.")
        if isinstance(value, str) and any(ord(c) in SURROGATES for c in value):
            _refuse(field, "Contains a lone Unicode surrogate (such as \\ud800), which is not text.")


def _walk(data: Any) -> Iterator[tuple[str | None, Any, int]]:
    """Every key and value of ``data`` with its top-level field and its depth (the body is depth 0)."""
    stack: list[tuple[str | None, Any, int]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            yield _printable(key), key, 1
            stack.append((_printable(key), value, 1))
    else:
        stack.append((None, data, 0))
    while stack:
        field, value, depth = stack.pop()
        yield field, value, depth
        if isinstance(value, dict):
            for key, item in value.items():
                yield field, key, depth + 1
                stack.append((field, item, depth + 1))
        elif isinstance(value, list):
            stack.extend((field, item, depth + 1) for item in value)


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]')


def _too_deep_field(text: str) -> str | None:
    """The top-level field of a body nested too deeply for Python's parser to return, found without
    parsing: the last top-level key before the nesting passed the limit."""
    depth, key, last_string = 0, None, None
    for token in _TOKEN.finditer(text):
        value = token.group()
        if value in "[{":
            depth += 1
            if depth > max_depth():
                return key
        elif value in "]}":
            depth -= 1
        elif value == ":":
            if depth == 1 and last_string is not None:
                key = _printable(last_string[1:-1])
        else:
            last_string = value
    return key


def _printable(key: Any) -> str:
    text = str(key)
    return text.encode("utf-8", "replace").decode("utf-8")


def _refuse(field: str | None, message: str) -> None:
    if field is None:
        raise exceptions.ParseError(f"The request body: {message}")
    raise exceptions.ValidationError({field: [message]}, code="invalid")
