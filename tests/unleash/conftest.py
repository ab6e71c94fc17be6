from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .server import Unleash, running_unleash


@pytest.fixture(scope="session")
def unleash_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Unleash]:
    """One real Unleash for the session (its own port and PostgreSQL database)."""
    with running_unleash(tmp_path_factory.mktemp("unleash")) as server:
        yield server


@pytest.fixture
def unleash(unleash_server: Unleash, settings: Any) -> Iterator[Unleash]:
    """The running Unleash (brought back first if an earlier test left it stopped), with Docket's settings
    pointing at it."""
    if unleash_server.process is None or unleash_server.process.poll() is not None:
        unleash_server.start()
    for name, value in unleash_server.settings().items():
        setattr(settings, name, value)
    yield unleash_server
