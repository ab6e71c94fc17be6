"""Every page, for every role, on a phone 390 px wide: the page never scrolls sideways (a wide table
scrolls inside its card), with its folded forms opened and the menu open too; and the strict CSP holds
(no violation in the console) on every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import ConsoleLog, login_as
from tests.e2e import pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}

# What sticks out past the right edge, outside a scrolling table: named in the failure message.
OFFENDERS = """() => {
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const right = el.getBoundingClientRect().right;
    if (right > innerWidth + 1 && !el.closest('.table-wrap')) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(right)}px`);
    }
  }
  return out.slice(-4);
}"""
OPEN_EVERYTHING = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const toggle = document.querySelector('[data-nav-toggle]');
  if (toggle && toggle.getAttribute('aria-expanded') !== 'true') toggle.click();
}"""


def test_every_route_is_a_page_or_says_why_not() -> None:
    unlisted = pages.route_names() - set(pages.PAGES) - set(pages.NOT_PAGES)
    assert not unlisted, (
        f"Routes in neither tests/e2e/pages.py PAGES nor NOT_PAGES: {sorted(unlisted)}. "
        "Add each page to PAGES (with its arguments from the demo data) or to NOT_PAGES with the reason."
    )
    gone = (set(pages.PAGES) | set(pages.NOT_PAGES)) - pages.route_names()
    assert not gone, f"tests/e2e/pages.py names routes that no longer exist: {sorted(gone)}"


def overflow(pg: Any) -> str | None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    inner = pg.evaluate("innerWidth")
    if width <= inner:
        return None
    return f"{width}px wide in {inner}px: {pg.evaluate(OFFENDERS)}"


def check(pg: Any, url: str, who: str, problems: list[str]) -> None:
    response = pg.goto(url)
    status = response.status if response else 0
    if status >= 500:
        problems.append(f"{who} {url}: HTTP {status}")
        return
    policy = response.headers.get("content-security-policy", "") if response else ""
    if "script-src 'self'" not in policy or "unsafe-" in policy:
        problems.append(f"{who} {url}: not the strict CSP: {policy!r}")
    if (too_wide := overflow(pg)) is not None:
        problems.append(f"{who} {url}: {too_wide}")
    pg.evaluate(OPEN_EVERYTHING)
    if (too_wide := overflow(pg)) is not None:
        problems.append(f"{who} {url} (forms and menu open): {too_wide}")


def test_every_page_fits_a_phone_for_every_role(browser: Any, live_server: Any) -> None:
    demo = pages.load()
    urls = pages.urls(demo)
    problems: list[str] = []
    csp: list[str] = []
    for who in pages.VIEWERS:
        context = browser.new_context(
            base_url=live_server.url, viewport=PHONE, timezone_id="America/New_York"
        )
        pg = context.new_page()
        console = ConsoleLog()
        pg.on("console", lambda msg, log=console: log.messages.append(f"{msg.type}: {msg.text}"))
        pg.set_default_timeout(10_000)
        login_as(pg, live_server, demo.users[who])
        for name, url in urls:
            if name == "login":
                continue  # a signed-in person is sent on; the anonymous pass below covers it
            check(pg, url, who, problems)
        csp += [f"{who}: {m}" for m in console.csp_violations]
        context.close()

    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    pg = context.new_page()
    console = ConsoleLog()
    pg.on("console", lambda msg: console.messages.append(f"{msg.type}: {msg.text}"))
    check(pg, "/login/", "anonymous", problems)
    csp += [f"anonymous: {m}" for m in console.csp_violations]
    context.close()

    assert problems == [], "\n".join(problems)
    assert csp == [], "\n".join(csp)
