from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.services.demo import load_demo


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    """The seed article's scenario (Commerce order on Friday 2026-11-27 17:21 ET), as of Sunday noon UTC."""
    return load_demo(now=dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC))
