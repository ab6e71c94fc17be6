"""/healthz for load balancers and monitoring: JSON, no login.

- ``database``: ``SELECT 1``. Down: HTTP 503 (the app cannot do anything useful).
- ``broker``: can a connection to the Celery broker be opened (one try, short timeout)? Down: reported,
  status "degraded", still HTTP 200: pages keep working and the outbox keeps every notification.
- ``cache``: with a cache that can be down (Redis), one PING. Down: "degraded", still HTTP 200: the cache
  fails open (compliance/cache.py), so throttles count nothing and the dashboard is computed per request
  until it is back.
- ``sweep``: the age of the last completed escalation sweep; older than DOCKET_SWEEP_STALE_SECONDS (or
  none yet): "degraded", so that a dead beat or worker is noticed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .escalation.sweep import last_sweep

log = logging.getLogger("docket.health")


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        log.error("healthz: database unreachable: %s", exc)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _broker() -> dict[str, Any]:
    from kombu import Connection

    url = settings.CELERY_BROKER_URL
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    if not url.startswith("filesystem://"):
        options.update(socket_connect_timeout=1, socket_timeout=1)
    try:
        with Connection(url, transport_options=options, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=0)
    except Exception as exc:
        log.warning("healthz: broker unreachable: %s", exc)
        return {"ok": False, "transport": url.split("://", 1)[0], "error": type(exc).__name__}
    return {"ok": True, "transport": url.split("://", 1)[0]}


def _cache() -> dict[str, Any]:
    from django.core.cache import caches

    backend = caches["default"]
    name = type(backend).__name__
    probe = getattr(backend, "probe", None)
    if callable(probe):
        try:
            probe()
        except Exception as exc:
            log.warning("healthz: cache unreachable: %s", type(exc).__name__)
            return {"ok": False, "backend": name, "error": type(exc).__name__}
    return {"ok": True, "backend": name}


def _sweep(now: dt.datetime, database_ok: bool) -> dict[str, Any]:
    if not database_ok:
        return {"ok": False, "last_finished_at": None, "age_seconds": None}
    try:
        last = last_sweep()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__, "last_finished_at": None, "age_seconds": None}
    if last is None:
        return {
            "ok": False,
            "last_finished_at": None,
            "age_seconds": None,
            "note": "no sweep has completed yet",
        }
    finished, stats = last
    age = max(0.0, (now - finished).total_seconds())
    return {
        "ok": age <= settings.DOCKET_SWEEP_STALE_SECONDS,
        "last_finished_at": finished.isoformat(),
        "age_seconds": round(age, 1),
        "stale_after_seconds": settings.DOCKET_SWEEP_STALE_SECONDS,
        "last_stats": stats,
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    database = _database()
    checks = {
        "database": database,
        "broker": _broker(),
        "cache": _cache(),
        "sweep": _sweep(now, database["ok"]),
    }
    if not database["ok"]:
        status, code = "down", 503
    elif all(check["ok"] for check in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    return JsonResponse({"status": status, "time": now.isoformat(), "checks": checks}, status=code)
