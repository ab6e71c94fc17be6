from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives import models
from directives.services.demo import load_demo
from tests.factories import make_directive, make_product


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    """The seed article's scenario (Commerce order on Friday 2026-11-27 17:21 ET), as of Sunday noon UTC."""
    return load_demo(now=dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC))


@pytest.fixture
def order(legal: Any) -> models.Directive:
    """The Commerce order (Friday 17:21 ET) naming Mythos and Fable 5, logged by legal."""
    return make_directive(
        actor=legal,
        reference="BIS-ORD-AI-2026-0417",
        products=[make_product("Mythos"), make_product("Fable 5")],
        authority=models.Authority.objects.get_or_create(
            name="U.S. Department of Commerce", defaults={"time_zone": "America/New_York"}
        )[0],
    )
