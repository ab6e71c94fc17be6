"""Request id for every request: taken from ``X-Request-ID`` when a proxy sets one, else made here,
returned in the response header and attached to every log line of the request (``RequestIdFilter``;
gunicorn's access log reads it from the response header, see compliance/gunicorn_logging.py).

Also the security headers Django does not set itself, and the client address behind trusted proxies."""

from __future__ import annotations

import contextvars
import ipaddress
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.html import escape

log = logging.getLogger("docket.requests")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        # A proxy's id is kept so one request can be followed across services; anything that is not a
        # short token (log injection, megabytes of header) is replaced by our own.
        rid = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs 4xx/5xx after the middleware chain has returned, with the request
            # attached: its id is on the request.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or _request_id.get()
        return True


class HealthCheckMiddleware:
    """Answer ``GET /healthz`` before host validation, the HTTPS redirect, sessions and CSRF.

    Load balancers probe each instance by its address (``Host: 10.0.3.7:8000``), over plain HTTP, with
    no cookie: Django would refuse the host (400) or redirect to HTTPS. The answer holds no private data
    (check names, ok flags, the sweep's age), so it is served to any host."""

    PATH = "/healthz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == self.PATH and request.method in ("GET", "HEAD"):
            from directives.health import healthz

            return healthz(request)
        return self.get_response(request)


# What the database driver raises when it cannot be reached or the connection is lost (also a deadlock, a
# serialization failure, SQLite's "database is locked"): all worth trying again in a moment.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
UNAVAILABLE_MESSAGE = (
    "The database is unavailable for a moment. Nothing was saved; try again in a few seconds."
)


def database_unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """503 with Retry-After, in the API's error shape under /api/, else a page. No context processors and no
    session: the database is what failed. The transaction of the request, if any, was rolled back."""
    log.warning("database unavailable (%s: %s): answered 503", type(exc).__name__, exc)
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = {"detail": UNAVAILABLE_MESSAGE, "code": "database_unavailable", "field": None}
        response = JsonResponse(body, status=503)
    else:
        html = render_to_string("500.html", {"unavailable": UNAVAILABLE_MESSAGE})  # its 503 variant
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.DOCKET_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """While the database is unavailable (refused, restarting, connection lost), answer 503 with
    ``Retry-After`` instead of 500 (``database_unavailable`` above; the 500 handler,
    ``directives.views.home.server_error``, does the same for an outage met outside a view).

    A request that may write (any method but GET, HEAD, OPTIONS and TRACE) runs its view in one
    transaction, so a failure half-way (the database lost between two statements, an error after a first
    write) leaves nothing behind. Reads are left out of it: on SQLite a transaction takes the write lock
    up front (``transaction_mode`` IMMEDIATE), and a page needs none. ``@non_atomic_requests`` opts out."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if request.method in self.SAFE_METHODS or DEFAULT_DB_ALIAS in getattr(
            view_func, "_non_atomic_requests", ()
        ):
            return None  # Django calls the view; an outage reaches process_exception
        try:
            with transaction.atomic():
                return view_func(request, *view_args, **view_kwargs)
        except DATABASE_UNAVAILABLE as exc:
            return database_unavailable(request, exc)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable(request, exception)
        return None


# Browser features Docket never uses; denied so that injected content cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """Headers beside Django's SecurityMiddleware (HSTS, nosniff, referrer, COOP) and django-csp."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        try:
            signed_in = user is not None and user.is_authenticated
        except DATABASE_UNAVAILABLE:  # the session could not be read: the answer may be someone's
            signed_in = True
        if signed_in:
            # Pages for a signed-in user hold privileged material: never kept by shared caches.
            response.headers.setdefault("Cache-Control", "private, no-cache")
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind ``DOCKET_TRUSTED_PROXY_COUNT`` proxies that each
    append to X-Forwarded-For, the address the outermost trusted proxy saw. Used by django-axes."""
    remote = request.META.get("REMOTE_ADDR") or None
    hops = int(getattr(settings, "DOCKET_TRUSTED_PROXY_COUNT", 0))
    if hops <= 0:
        return remote
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): HTTP 429 with a sentence that
    says what happened and for how long, in the API's error shape under /api/, and Retry-After."""
    cooloff = float(getattr(settings, "AXES_COOLOFF_TIME", 0) or 0)
    minutes = max(1, round(cooloff * 60)) if cooloff else 0
    wait = f"for {minutes} minutes" if minutes else "until an administrator unlocks it"
    message = (
        f"Too many failed login attempts: this account or address is locked {wait}. "
        "Try again later, or ask an administrator to unlock it."
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "locked_out", "field": None}, status=429)
    else:
        html: str
        try:
            html = render_to_string("registration/locked_out.html", {"message": message}, request=request)
        except TemplateDoesNotExist:
            html = f"<!doctype html><title>Locked out</title><h1>Locked out</h1><p>{escape(message)}</p>"
        response = HttpResponse(html, status=429)
    if minutes:
        response["Retry-After"] = str(minutes * 60)
    return response
