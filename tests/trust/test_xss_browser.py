"""A stored <script> in a directive title, a task and a timeline entry does not run in a real browser
and shows as text; the page's CSP reports nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from directives.choices import EntryKind
from directives.services.directives import record_action
from tests.e2e.conftest import ConsoleLog, login_as
from tests.factories import make_directive, make_task

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = '<script>window.__pwned = "title"</script><img src=x onerror="window.__pwned = \'img\'">'
ENTRY = "<script>window.__pwned = 'timeline'</script> and <b onmouseover=\"window.__pwned='b'\">bold?</b>"
TASK = "<svg onload=\"window.__pwned='svg'\"></svg><script>window.__pwned='task'</script>"


def test_stored_script_does_not_run_and_shows_as_text(
    page: Any, live_server: Any, console: ConsoleLog, legal: Any, auditor: Any, now: Any
) -> None:
    directive = make_directive(actor=legal, title=TITLE, summary=ENTRY)
    record_action(
        directive=directive, kind=EntryKind.COMMENT, summary=ENTRY, occurred_at=now, actor=legal, now=now
    )
    task = make_task(directive, actor=legal, title=TASK, description=TASK)
    login_as(page, live_server, legal)

    for path in (
        f"/directives/{directive.pk}/",
        f"/directives/{directive.pk}/timeline/",
        "/directives/",
        f"/tasks/{task.pk}/",
        "/timeline/",
        f"/directives/{directive.pk}/report/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        page.mouse.move(10, 10)
        assert page.evaluate("() => window.__pwned") is None, f"script ran on {path}"
        # The payload is shown as text, never turned into elements.
        assert page.locator("body script:not([src])").count() == 0, path
        assert page.locator("img[onerror], svg[onload], b[onmouseover]").count() == 0, path

    page.goto(f"/directives/{directive.pk}/")
    body = page.locator("body").inner_text()
    assert '<script>window.__pwned = "title"</script>' in body
    page.goto(f"/directives/{directive.pk}/timeline/")
    assert "<script>window.__pwned = 'timeline'</script>" in page.locator("body").inner_text()
    page.goto(f"/tasks/{task.pk}/")
    assert "<script>window.__pwned='task'</script>" in page.locator("body").inner_text()

    # Were escaping ever to fail, the CSP would still refuse the inline script: prove the header is there.
    csp = page.goto("/directives/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert console.csp_violations == [], console.csp_violations

    # The same page as an auditor: read-only role, same escaping.
    page.context.clear_cookies()
    login_as(page, live_server, auditor)
    page.goto(f"/directives/{directive.pk}/")
    assert page.evaluate("() => window.__pwned") is None


def test_csp_blocks_an_inline_script_even_if_one_got_through(
    page: Any, live_server: Any, console: ConsoleLog, legal: Any
) -> None:
    """Defence in depth: inject a script element into a served page; the policy refuses to run it."""
    login_as(page, live_server, legal)
    page.goto("/directives/")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = "window.__pwned = 'injected'"; document.body.appendChild(s); }""")
    assert page.evaluate("() => window.__pwned") is None
    assert any("Content Security Policy" in m or "Refused to execute" in m for m in console.messages), (
        console.messages
    )
