from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .dovecot import Dovecot, running_dovecot


@pytest.fixture
def dovecot(settings: Any, tmp_path: Any) -> Iterator[Dovecot]:
    """A private Dovecot with an empty INBOX, and the intake mailbox settings pointing at it."""
    with running_dovecot() as server:
        for name, value in server.settings().items():
            setattr(settings, name, value)
        settings.MEDIA_ROOT = tmp_path / "media"
        yield server
