from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .killswitch import SECRET, KillSwitch


@pytest.fixture
def switch(settings: Any) -> Iterator[KillSwitch]:
    settings.DOCKET_ENFORCEMENT_WEBHOOK_SECRET = SECRET
    settings.DOCKET_WEBHOOK_TIMEOUT_SECONDS = 2.0
    server = KillSwitch().start()
    yield server
    server.stop()
