"""Screenshots of the products page and a product's control, the webhooks page, an authority's deadline
counting, the directive page's linked directives and enforcement card, and the inbox (PNG, 1280 wide; the
inbox also at 390 px) against a server running the demo data.

    .venv/bin/python docs/screenshots/take_new_pages_screenshots.py

The server is started and stopped as in take_legal_screenshots.py (a temporary DOCKET_VAR_DIR with the
demo loaded and one escalation sweep run, so the executive's inbox holds what it sent; runserver on a free
port); the system Chromium, never a downloaded browser. The administrator adds a webhook through the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import take_layout_screenshots as layout  # type: ignore[import-not-found]
import take_legal_screenshots as demo  # type: ignore[import-not-found]

OUT = demo.OUT
ORDER = "BIS-ORD-AI-2026-0417"


def save(page: Page, name: str, *, full: bool = False) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / name), full_page=full)


def legal_pages(legal: Page) -> None:
    legal.goto("/products/")
    save(legal, "products.png", full=True)
    legal.goto("/authorities/")
    href = legal.locator("a[href$='/deadlines/']").first.get_attribute("href")
    legal.goto(href or "/authorities/")
    save(legal, "authority-deadlines.png", full=True)
    legal.goto("/directives/")
    order = legal.get_by_role("link", name=ORDER).first.get_attribute("href")
    legal.goto(order or "/directives/")
    legal.wait_for_load_state("networkidle")
    legal.locator("section[aria-labelledby=links-h]").screenshot(path=str(OUT / "directive-linked.png"))
    legal.locator("section[aria-labelledby=access-h]").screenshot(path=str(OUT / "directive-enforcement.png"))


def shoot(base: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=demo.CHROMIUM, args=demo.ARGS, headless=True)
        legal_pages(layout.signed_in(browser, base, "legal", layout.DESKTOP))

        admin = layout.signed_in(browser, base, "admin", layout.DESKTOP)
        admin.goto("/webhooks/")
        admin.get_by_label("Name").fill("Compliance channel")
        admin.get_by_label("Address (URL)").fill("https://hooks.example.com/docket/compliance")
        admin.get_by_label("Secret").fill("a-long-demo-signing-secret")
        admin.get_by_label("Escalated").check()
        admin.get_by_label("Obligation missed").check()
        admin.get_by_role("button", name="Add the webhook").click()
        save(admin, "webhooks.png", full=True)
        admin.goto("/products/")
        href = admin.locator("a[href$='/control/']").first.get_attribute("href")
        admin.goto(href or "/products/")
        save(admin, "product-control.png", full=True)

        executive = layout.signed_in(browser, base, "executive", layout.DESKTOP)
        executive.goto("/inbox/")
        save(executive, "inbox.png", full=True)
        phone = layout.signed_in(browser, base, "executive", layout.PHONE)
        phone.goto("/inbox/")
        save(phone, "inbox-phone.png")
        browser.close()


if __name__ == "__main__":
    demo.main(take=shoot, commands=[["escalate"]])  # the sweep sends the overdue work's messages
