"""Two workers at once: each attempts every access change (as when the broker redelivers a message), in
threads released together, each with its own database connection."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from django.db import connections

from directives.services import enforcement as enforcement_services


def attempt_in_two_workers(ids: list[int], *, now: Callable[[], dt.datetime], timeout: float) -> list[str]:
    """Every outcome of both workers' attempts; an exception in either fails the caller's test."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            for pk in ids:
                outcomes.append(enforcement_services.attempt(enforcement_id=pk, now=now()))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not errors, errors
    return outcomes
