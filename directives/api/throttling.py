"""DRF's rate throttles (the same scopes, rates and keys), counted in constant space.

DRF's ``SimpleRateThrottle`` keeps in the cache the time of every request of the last period and reads,
trims and writes that list back on every request: its cost grows with the client's rate. At the user rate
(5,000 a minute) a client near its limit made each of its requests read and write 5,000 timestamps, 3.9 ms
on the default file cache against 0.4 ms for two counters (docs/benchmarks.md, section 4).

These keep two counters per client instead, the requests of the current fixed window and of the one before,
and count the previous window in proportion to how much of it still lies within one period of now, rounded
up (the "sliding window counter"). A client is refused once that estimate reaches the rate. It assumes the previous
window's requests were spread evenly; a client that sends the whole rate at once and waits is still refused
for the rest of the period, as with DRF's list. ``Retry-After`` says when the estimate falls below the rate.
Counting is as atomic as the cache's ``add`` and ``incr`` (Redis: atomic; the file cache: as DRF's list).
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework import throttling


class SlidingWindowCounter(throttling.SimpleRateThrottle):
    num_requests: int  # set by SimpleRateThrottle from the rate ("5000/min": 5000 and 60)
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        period = float(self.duration)
        self.now = self.timer()
        window, into = divmod(self.now, period)
        current_key = f"{self.key}:{int(window)}"
        previous_key = f"{self.key}:{int(window) - 1}"
        counts = self.cache.get_many([previous_key, current_key])
        previous, current = int(counts.get(previous_key, 0)), int(counts.get(current_key, 0))
        limit = self.num_requests
        if _still_counted(previous, into, period) + current >= limit:
            self._wait = _retry_after(previous, current, limit, into, period)
            return False
        # Kept for two periods: the window is read as "previous" during the next one.
        if not self.cache.add(current_key, 1, timeout=int(2 * period)):
            try:
                self.cache.incr(current_key)
            except ValueError:  # expired between add and incr
                self.cache.set(current_key, 1, timeout=int(2 * period))
        return True

    def wait(self) -> float | None:  # seconds, for Retry-After
        return getattr(self, "_wait", None)


def _still_counted(previous: int, into: float, period: float) -> int:
    """The previous window's requests still within one period of now, rounded up: a request partly inside
    counts whole, so that a burst across a window boundary (previous 1, then 2 at once just after it, at
    3 a minute) is refused as DRF's list of times refuses it."""
    return math.ceil(previous * (1 - into / period) - 1e-9)


def _retry_after(previous: int, current: int, limit: int, into: float, period: float) -> int:
    """Whole seconds until ``_still_counted(previous, t) + current`` (t: time into the window) is below the
    limit, at least 1."""
    room = limit - current - 1  # what the previous window may still count for one more request
    if current < limit:
        # Within this window: wait until enough of the previous one has slid out.
        needed = period * (1 - room / previous) - into if previous else 0.0
    else:
        # Not before the next window, where this one's count becomes "previous" and slides out in turn.
        needed = (period - into) + period * (1 - (limit - 1) / current)
    return max(math.ceil(needed - 1e-6), 1)


# DRF's class first: ScopedRateThrottle finds its scope and rate in allow_request, then calls this one's.


class AnonRateThrottle(throttling.AnonRateThrottle, SlidingWindowCounter):
    """Anonymous clients, by address (scope ``anon``)."""


class UserRateThrottle(throttling.UserRateThrottle, SlidingWindowCounter):
    """Signed-in clients, by user (scope ``user``)."""


class ScopedRateThrottle(throttling.ScopedRateThrottle, SlidingWindowCounter):
    """A view's own ``throttle_scope`` (the token endpoint's ``token``)."""
