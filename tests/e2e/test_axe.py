"""axe-core (npm, pinned: tests/axe/) on every page, for every role, with the folded forms open: no serious or
critical violation. The context bypasses the CSP to inject axe; tests/e2e/test_narrow.py opens the same pages
under the CSP and fails on any violation in the console."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import login_as
from tests.e2e import pages
from tests.e2e.axe import axe_path, blocking_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OPEN_DETAILS = "() => document.querySelectorAll('details').forEach((d) => { d.open = true; })"


def test_no_serious_or_critical_violation_on_any_page(browser: Any, live_server: Any) -> None:
    axe_path()
    demo = pages.load()
    urls = pages.urls(demo)
    problems: list[str] = []
    refusals_seen: set[int] = set()  # a 403 or 404 page is the same template whoever reads it: checked once
    for who in ("anonymous", *pages.VIEWERS):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1366, "height": 900}, bypass_csp=True
        )
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        if who != "anonymous":
            login_as(pg, live_server, demo.users[who])
        for name, url in urls:
            if (name == "login") != (who == "anonymous"):
                continue
            response = pg.goto(url)
            status = response.status if response else 0
            if status >= 400:
                if status in refusals_seen:
                    continue
                refusals_seen.add(status)
            pg.evaluate(OPEN_DETAILS)
            problems += [f"{who} {url}: {v}" for v in blocking_violations(pg)]
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_check_finds_a_violation_when_there_is_one(browser: Any) -> None:
    """Not a vacuous pass: an image without a text alternative is a critical violation."""
    axe_path()
    context = browser.new_context(bypass_csp=True)
    pg = context.new_page()
    pg.set_content('<!doctype html><html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    found = blocking_violations(pg)
    context.close()
    assert any(v.startswith("image-alt (critical)") for v in found), found
