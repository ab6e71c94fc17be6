"""The default cache of a single web host: Django's file cache, culled on a clock instead of on every write.

Django's ``FileBasedCache`` lists its whole folder (a ``glob``) on every ``set`` to decide whether to cull,
so each write costs time in proportion to the number of entries. The API's rate throttle writes on every
request (directives/api/throttling.py), and the folder holds two counters per client active in the last two
minutes besides everything else, up to ``MAX_ENTRIES`` (10,000 here): one throttle check took 0.77 ms with
the folder empty, 4.9 ms with 1,000 other entries and 20 ms with 5,000; with this class 0.69, 0.76 and
1.6 ms (``python bench/throttle.py``, docs/benchmarks.md, section 4). Django's documentation recommends this subclass for a large number of
files (ticket #29994).

This one lists the folder at most once every ``CULL_INTERVAL`` seconds (an ``OPTIONS`` key, default 10) per
process. Culling itself is Django's: once the folder holds ``MAX_ENTRIES`` files, a ``1/CULL_FREQUENCY``
share of them is removed at random. Between two culls a process may write past ``MAX_ENTRIES`` by what it
writes in the interval. Expired entries are still deleted when read, as before.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        super().__init__(dir, params)
        options = params.get("OPTIONS", {})
        self._cull_interval = float(options.get("CULL_INTERVAL", 10))
        self._next_cull = 0.0  # the first write of a process culls if needed

    def _cull(self) -> None:
        now = time.monotonic()
        if now < self._next_cull:
            return
        self._next_cull = now + self._cull_interval
        super()._cull()  # type: ignore[misc]  # private in Django, absent from django-stubs
