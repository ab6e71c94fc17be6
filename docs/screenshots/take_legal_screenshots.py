"""Screenshots of legal's pages (PNG, 1280 wide) against a server running the demo data.

    .venv/bin/python docs/screenshots/take_legal_screenshots.py

Like `make run`: migrate and load the demo into a temporary DOCKET_VAR_DIR, start runserver on a free
port, log in as the demo legal user, save one PNG per page here, stop the server. Uses the system
Chromium (never a downloaded browser).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
PYTHON = sys.executable
CHROMIUM = os.environ.get("DOCKET_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(take: Callable[[str], None] | None = None, commands: Sequence[Sequence[str]] = ()) -> None:
    """Start the demo server, run ``take`` (this module's ``shoot`` by default) against its base URL, stop it.
    ``commands`` are manage.py commands run on the demo data before the server starts."""
    var = tempfile.mkdtemp(prefix="docket-shots-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update({"DOCKET_VAR_DIR": var, "LOG_FORMAT": "plain", "LOG_LEVEL": "WARNING"})
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input"], env=env, check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    for command in commands:
        subprocess.run([*manage, *command], env=env, check=True, cwd=ROOT, capture_output=True)  # noqa: S603
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/login/", timeout=1)  # noqa: S310 - local server
                break
            except OSError:
                time.sleep(0.5)
        (take or shoot)(base)
    finally:
        server.terminate()
        server.wait(timeout=10)


def shoot(base: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, base_url=base, timezone_id="America/New_York"
        )
        page = context.new_page()
        page.goto("/login/")
        page.screenshot(path=str(OUT / "login.png"))
        page.fill("#id_username", "legal")
        page.fill("#id_password", "docket-demo-legal")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/desk/")  # legal's home is the legal desk (take_layout_screenshots.py)
        page.goto("/directives/")
        page.screenshot(path=str(OUT / "directive-list.png"), full_page=True)
        order = page.get_by_role("link", name="BIS-ORD-AI-2026-0417").get_attribute("href")
        page.goto(order or "/directives/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "directive-page.png"))
        page.screenshot(path=str(OUT / "directive-page-full.png"), full_page=True)
        page.locator("#action-access summary").click()
        page.locator("#action-access").screenshot(path=str(OUT / "directive-access-change-form.png"))
        page.goto(f"{order}timeline/")
        page.screenshot(path=str(OUT / "timeline.png"))
        page.goto(f"{order}report/")
        page.screenshot(path=str(OUT / "compliance-report.png"), full_page=True)
        page.goto("/directives/new/")
        page.locator("#id_authority").select_option(index=1)
        page.locator("#id_reference").fill("BIS-ORD-AI-2026-0500")
        page.locator("#id_title").fill("Follow-up order")
        page.locator("#id_obligations-0-title").fill("Submit a remediation plan")
        page.locator("#id_obligations-0-deadline_rule").select_option("business_days")
        page.locator("#id_obligations-0-deadline_amount").fill("2")
        page.locator("#id_obligations-0-deadline_amount").blur()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "log-an-order.png"), full_page=True)
        # A receipt in the DST fall-back hour: the form asks which 01:30 was meant.
        page.locator("#id_received_date").fill("2026-11-01")
        page.locator("#id_received_time").fill("01:30")
        page.get_by_role("button", name="Log the order").click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "log-an-order-dst-ambiguous.png"))
        page.goto("/calendar/")
        page.screenshot(path=str(OUT / "calendar-feed.png"))
        browser.close()


if __name__ == "__main__":
    main()
