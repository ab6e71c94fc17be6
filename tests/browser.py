"""Browser fixtures shared by every browser test (tests/e2e, the API docs page, the XSS check).

Defined once, here, and imported once, by tests/conftest.py: a session fixture imported into several
conftest modules becomes several fixtures, and a second Playwright session started while the first is
still open fails with "using Playwright Sync API inside the asyncio loop".

Playwright's sync API driving the Debian Chromium against Django's live server.

Never a downloaded browser. When CI=true a missing Chromium fails the run instead of skipping it."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("DOCKET_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser(live_server: Any) -> Iterator[Any]:
    """Needs the live server so that Chromium closes first, while the server can still answer the
    connections it holds (otherwise its request threads fail after it stopped: an unhandled-thread-exception
    warning at the end of every run)."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()
        # While Playwright's event loop runs in this thread, asgiref keeps Django's connections apart from
        # the session's own: every test after the first browser test used a second connection. Closed
        # here, inside the loop, or the test database (PostgreSQL) cannot be dropped at the end ("being
        # accessed by other users").
        from django.db import connections

        connections.close_all()


class ConsoleLog:
    def __init__(self) -> None:
        self.messages: list[str] = []

    @property
    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m or "Refused to" in m]

    @property
    def errors(self) -> list[str]:
        return [m for m in self.messages if m.startswith("error:")]


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


def ensure_reference_data() -> None:
    """Browser tests run in transactional test cases, whose teardown flushes every table, the rows the data
    migrations made included (role groups, audiences, default escalation policies); serialized rollback
    did not bring them back reliably in a full run. The migrations' own idempotent functions put them back."""
    from django.apps import apps

    for name in ("0003_roles_and_audiences", "0006_default_escalation_policies"):
        importlib.import_module(f"directives.migrations.{name}").forward(apps, None)


@pytest.fixture
def page(browser: Any, live_server: Any, console: ConsoleLog) -> Iterator[Any]:
    ensure_reference_data()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, timezone_id="America/New_York"
    )
    pg = context.new_page()
    pg.on("console", lambda msg: console.messages.append(f"{msg.type}: {msg.text}"))
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def login_as(page: Any, live_server: Any, user: Any) -> None:
    """Log ``user`` in by handing the browser a real session cookie (the login form has its own test)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
