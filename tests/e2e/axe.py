"""axe-core from npm (tests/axe/package.json, pinned by its package-lock.json; `npm ci --prefix tests/axe`
installs it, .ci/run does). Injected by Playwright from the file into a context that bypasses the CSP: the
app's strict CSP (script-src 'self') rightly refuses a script the page did not serve. Only the accessibility
checks use such a context; tests/e2e/test_narrow.py checks the CSP holds on the same pages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parents[1] / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  }));
}"""


def axe_path() -> Path:
    if not AXE.exists():
        message = f"{AXE} missing: run `npm ci --prefix tests/axe`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def blocking_violations(page: Any) -> list[str]:
    """The serious and critical violations axe-core finds on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path()))
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['targets']}"
        for v in page.evaluate(RUN)
        if v["impact"] in BLOCKING
    ]
