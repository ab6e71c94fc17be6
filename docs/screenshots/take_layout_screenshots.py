"""Screenshots of the legal desk, the dashboard's receipt and shutdown, the access matrix and the pages on a
phone (PNG) against a server running the demo data.

    .venv/bin/python docs/screenshots/take_layout_screenshots.py

The server is started and stopped as in take_legal_screenshots.py (a temporary DOCKET_VAR_DIR with the
demo loaded, runserver on a free port); the system Chromium, never a downloaded browser.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import take_legal_screenshots as demo  # type: ignore[import-not-found]

OUT = demo.OUT
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def signed_in(browser: Browser, base: str, user: str, viewport: ViewportSize) -> Page:
    context = browser.new_context(viewport=viewport, base_url=base, timezone_id="America/New_York")
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", f"docket-demo-{user}")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def shoot(base: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=demo.CHROMIUM, args=demo.ARGS, headless=True)
        legal = signed_in(browser, base, "legal", DESKTOP)
        legal.goto("/desk/")
        legal.screenshot(path=str(OUT / "legal-desk.png"), full_page=True)

        phone = signed_in(browser, base, "legal", PHONE)
        phone.goto("/desk/")
        phone.screenshot(path=str(OUT / "legal-desk-phone.png"))
        order = phone.get_by_role("link", name="BIS-ORD-AI-2026-0417").first.get_attribute("href")
        phone.goto(order or "/directives/")
        phone.locator("#obligations-h").scroll_into_view_if_needed()
        phone.evaluate("window.scrollBy(0, -60)")
        phone.screenshot(path=str(OUT / "directive-page-phone.png"))

        executive = signed_in(browser, base, "executive", DESKTOP)
        executive.goto("/dashboard/")
        executive.wait_for_load_state("networkidle")
        executive.screenshot(path=str(OUT / "dashboard.png"), full_page=True)
        executive.locator("section[aria-labelledby=responses-title]").screenshot(
            path=str(OUT / "dashboard-receipt-shutdown.png")
        )
        executive.locator("section[aria-labelledby=matrix-title]").screenshot(
            path=str(OUT / "access-matrix.png")
        )
        browser.close()


if __name__ == "__main__":
    demo.main(take=shoot)
