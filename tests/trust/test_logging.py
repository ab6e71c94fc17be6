"""Structured logs: every line is one JSON object carrying the request id the response returned."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.gunicorn_logging import redact_path
from compliance.middleware import client_ip
from directives.services.directives import add_document

from ..factories import UserFactory, make_directive

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The configured JSON console handler (settings.LOGGING), writing into a buffer for the test."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def _records(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_a_request_log_line_is_json_with_the_request_id_it_returned(client, log_lines) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    rid = response["X-Request-ID"]
    assert len(rid) == 32
    records = _records(log_lines)
    line = next(r for r in records if r["logger"] == "django.request")
    assert line["request_id"] == rid
    assert line["level"] == "WARNING" and line["message"] == "Not Found: /no-such-page/"
    assert line["time"].endswith("+00:00")


def test_a_proxy_request_id_is_kept_and_used_by_app_logs(client, db, legal, now, log_lines) -> None:
    directive = make_directive(actor=legal)
    doc = add_document(
        directive=directive,
        actor=legal,
        now=now,
        upload=SimpleUploadedFile("a.txt", b"x", content_type="text/plain"),
    )
    client.force_login(UserFactory(username="no-role"))
    response = client.get(reverse("document_download", args=[doc.pk]), HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert response.status_code == 403
    assert response["X-Request-ID"] == "lb-7f3a.42"
    refused = next(r for r in _records(log_lines) if r["message"] == "file download refused")
    assert refused["request_id"] == "lb-7f3a.42" and refused["directive_id"] == directive.pk


@pytest.mark.parametrize("bad", ["a b", "x" * 65, "id\nINFO forged line", "<script>"])
def test_an_unsafe_incoming_request_id_is_replaced(client, bad) -> None:
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad and len(response["X-Request-ID"]) == 32


def test_log_lines_outside_requests_carry_a_dash(log_lines) -> None:
    logging.getLogger("docket.test").info("background work", extra={"task": "sweep"})
    (line,) = [r for r in _records(log_lines) if r["logger"] == "docket.test"]
    assert line == {**line, "request_id": "-", "message": "background work", "task": "sweep", "level": "INFO"}


def test_client_ip_behind_trusted_proxies(rf, settings) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.DOCKET_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.DOCKET_TRUSTED_PROXY_COUNT = 1  # one proxy: the last hop it saw, not the spoofable first
    assert client_ip(request) == "203.0.113.9"
    settings.DOCKET_TRUSTED_PROXY_COUNT = 3  # fewer hops than proxies: fall back to the socket address
    assert client_ip(request) == "10.0.0.5"
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip")
    settings.DOCKET_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.5"


def test_secret_looking_path_segments_are_masked_in_access_logs() -> None:
    token = "k" * 43
    assert redact_path(f"/calendar/{token}.ics") == "/calendar/[redacted].ics"
    assert redact_path("/directives/12/documents/3/download/") == "/directives/12/documents/3/download/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_gunicorn_access_log_is_json_with_the_request_id(tmp_path) -> None:
    """The real server with compliance/gunicorn.conf.py: one JSON access line per request."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_", "DOCKET_"))}
    env.update(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        DOCKET_VAR_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
    )
    out, err = (tmp_path / "out.log").open("w+"), (tmp_path / "err.log").open("w+")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "compliance" / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=err,
    )
    try:
        # Talk to this gunicorn only once it says it holds the port: another process (a test suite running
        # beside this one) can take a port between _free_port() closing it and gunicorn binding it.
        deadline = time.monotonic() + 60
        while f"Listening at: http://127.0.0.1:{port}" not in err.read():
            err.seek(0)
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"gunicorn did not listen on {port}: {err.read()[-2000:]}")
            time.sleep(0.3)
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/login/", headers={"X-Request-ID": "probe-1"}
                )
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - local server
                    returned = response.headers["X-Request-ID"]
                break
            except OSError:  # not listening yet (URLError, ConnectionError) or a slow first import
                if time.monotonic() > deadline or server.poll() is not None:
                    err.seek(0)
                    pytest.fail(f"gunicorn did not start: {err.read()[-2000:]}")
                time.sleep(0.3)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=60)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            out.seek(0)
            lines = [json.loads(line) for line in out.read().splitlines() if line.startswith("{")]
            if len(lines) >= 2:
                break
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert returned == "probe-1"
    out.seek(0)
    err.seek(0)
    assert any(line["path"] == "/login/" for line in lines), (
        f"stdout: {out.read()[-2000:]}\nstderr: {err.read()[-2000:]}"
    )
    first = next(line for line in lines if line["path"] == "/login/")
    assert first["request_id"] == "probe-1" and first["status"] == 200 and first["method"] == "GET"
    assert first["logger"] == "gunicorn.access" and first["duration_ms"] >= 0
    missing = next(line for line in lines if line["path"] == "/no-such-page/")
    assert missing["status"] == 404 and len(missing["request_id"]) == 32
    err.seek(0)
    errors = [json.loads(line) for line in err.read().splitlines() if line.startswith("{")]
    assert any(e["logger"] == "gunicorn.error" and "Booting worker" in e["message"] for e in errors)
    # Django's own line for the 404, from the worker, with the same id as gunicorn's access line.
    django_404 = next(e for e in errors if e.get("logger") == "django.request")
    assert django_404["request_id"] == missing["request_id"]
