"""gunicorn settings for production: `gunicorn -c compliance/gunicorn.conf.py`.

Every value can be overridden from the environment (GUNICORN_*); see docs/operations.md."""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "compliance.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Workers: (2 x cores) + 1 by default, the usual starting point for a sync app that waits on PostgreSQL.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
# Threads > 1 switches to the gthread worker (more concurrent requests per worker, one DB connection each).
threads = _int("GUNICORN_THREADS", 1)

# A request that takes longer than this is killed (the worker is replaced); report generation is the
# slowest page. graceful_timeout is how long a worker may finish its requests on shutdown or reload.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Restart each worker after about max_requests requests (jittered so they do not all restart at once):
# bounds the damage of a slow leak in any library.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Load the application once in the master, before forking: a worker that replaces a recycled one starts
# with Django, the URLconf and the views imported, so its first request is not a second-long cold start
# (under steady load every worker is recycled every few seconds). Database connections are opened
# per worker, on first use, never at import. GUNICORN_PRELOAD=0 turns it off.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"

# Request-size guards in front of Django's: long request lines and huge header sets are refused early.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# The proxy in front sets X-Forwarded-Proto / X-Forwarded-For; trust only its address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs: JSON lines on stdout (access) and stderr (errors), with the request id from compliance/middleware.py.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
logger_class = "compliance.gunicorn_logging.JsonLogger"
capture_output = False

# Heartbeat files in memory, not on a disk that may stall (docker overlay, network volumes).
if os.path.isdir("/dev/shm"):  # noqa: S108 - a tmpfs for gunicorn's heartbeat files, not a temp file
    worker_tmp_dir = "/dev/shm"  # noqa: S108

proc_name = "docket-web"

# gunicorn's runtime control socket (gunicornc) is off unless asked for: two instances on one host would
# otherwise share ~/.gunicorn/gunicorn.ctl, and nothing in Docket's operations uses it.
control_socket_disable = os.environ.get("GUNICORN_CONTROL_SOCKET", "") == ""
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


def when_ready(server: object) -> None:
    """With the application preloaded, also build what Django builds lazily on a first request (the URL
    resolver, which imports every view, and the compiled templates of the main pages), so that forked
    workers inherit them."""
    if not preload_app:
        return
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect: every URLconf imported
    for name in ("base.html", "dashboard/index.html", "tasks/mine.html", "directives/detail.html"):
        try:
            get_template(name)
        except TemplateDoesNotExist:  # pragma: no cover - a renamed template is not a reason to not start
            continue
