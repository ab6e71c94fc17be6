"""gunicorn's logs as JSON lines, like Django's (settings.LOGGING): one object per access with the
request id the app returned in ``X-Request-ID``, so a proxy's log, gunicorn's and Django's join up."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from typing import Any

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

_SECRET_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}(?=/|\.|$)")


def redact_path(path: str) -> str:
    """Mask path segments that look like secrets (32+ URL-safe characters), e.g. a feed token."""
    return _SECRET_SEGMENT.sub("[redacted]", path)


def _header(headers: Any, name: str) -> str | None:
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items or ():
        if str(key).lower() == name:
            return str(value)
    return None


class JsonLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        error_format = JsonFormatter(
            "%(levelname)s %(name)s %(message)s %(process)d",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
        for handler in self.error_log.handlers:
            handler.setFormatter(error_format)
        for handler in self.access_log.handlers:
            handler.setFormatter(logging.Formatter("%(message)s"))

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: dt.timedelta) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        query = environ.get("QUERY_STRING") or ""
        line = {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "request_id": _header(resp.headers, "x-request-id") or "-",
            "remote_addr": environ.get("REMOTE_ADDR", "-"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "method": environ.get("REQUEST_METHOD"),
            # The path with secret-looking segments masked (calendar feed tokens), never the query string.
            "path": redact_path(environ.get("PATH_INFO") or ""),
            "has_query": bool(query),
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "referer": environ.get("HTTP_REFERER"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=True, default=str))
        except Exception:
            self.exception("access log line could not be written")
