"""Browser tests: everything under tests/e2e is marked ``e2e``. The fixtures (browser, page, console)
live in tests/browser.py and are registered once by tests/conftest.py."""

from __future__ import annotations

import os

import pytest

from tests.browser import ConsoleLog, login_as

__all__ = ["ConsoleLog", "login_as"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
