from __future__ import annotations

from typing import Any

import pytest

from .world import World, build_world


@pytest.fixture
def world(legal: Any, engineer: Any, engineer2: Any) -> World:
    return build_world(legal=legal, engineer=engineer, engineer2=engineer2)
