"""The Celery app for the kill test's worker: the project's own, with a pause before each message is
flagged seen, so that the test can kill the worker while a committed message is still unseen (the
moment the seen-after-commit rule is for)."""

from __future__ import annotations

import time
from typing import Any

from imap_tools import BaseMailBox

from compliance.celery import app

PAUSE_SECONDS = 0.1
_flag = BaseMailBox.flag


def _slow_flag(self: BaseMailBox, *args: Any, **kwargs: Any) -> Any:
    time.sleep(PAUSE_SECONDS)
    return _flag(self, *args, **kwargs)


BaseMailBox.flag = _slow_flag  # type: ignore[method-assign]

__all__ = ["app"]
