"""The default cache (compliance/cache.py): Django's file cache, culled on a clock instead of on every write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from compliance import cache as cache_module
from compliance.cache import FileCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(cache_module.time, "monotonic", clock)
    return clock


def _cache(folder: Path, **options: Any) -> FileCache:
    return FileCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2, **options}})


def _files(folder: Path) -> int:
    return len(list(folder.glob("*.djcache")))


def test_the_default_cache_of_one_host_is_this_one() -> None:
    if getattr(settings, "CACHES", {}).get("default", {}).get("BACKEND") != "compliance.cache.FileCache":
        pytest.skip("CACHE_URL names another cache")
    assert settings.CACHES["default"]["OPTIONS"]["CULL_INTERVAL"] == 10


def test_writes_between_culls_do_not_list_the_folder(tmp_path: Path, clock: Clock, monkeypatch: Any) -> None:
    cache = _cache(tmp_path, CULL_INTERVAL=10)
    listings: list[int] = []
    listing = FileCache._list_cache_files  # type: ignore[attr-defined]  # private, not in django-stubs

    def counted(self: FileCache) -> list[str]:
        files: list[str] = listing(self)
        listings.append(len(files))
        return files

    monkeypatch.setattr(FileCache, "_list_cache_files", counted)
    for i in range(30):  # 3 s apart: 90 s in all
        cache.set(f"key-{i}", i)
        clock.now += 3
    # The first write listed the folder, then one write in each later 10 s: not thirty listings.
    assert 1 < len(listings) <= 10
    assert cache.get("key-29") == 29


def test_it_still_culls_once_the_interval_has_passed(tmp_path: Path, clock: Clock) -> None:
    cache = _cache(tmp_path, CULL_INTERVAL=10)
    for i in range(25):  # one instant: only the first write may cull, when the folder is still empty
        cache.set(f"key-{i}", i)
    assert _files(tmp_path) == 25  # past MAX_ENTRIES (10) by what was written within the interval

    clock.now += 10
    cache.set("one-more", 1)  # lists the folder: 25 >= 10, so half of them go (CULL_FREQUENCY 2)
    assert _files(tmp_path) == 25 - 12 + 1
    assert cache.get("one-more") == 1


def test_without_the_option_it_culls_every_ten_seconds(tmp_path: Path, clock: Clock) -> None:
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 4, "CULL_FREQUENCY": 2}})
    for i in range(8):
        cache.set(f"key-{i}", i)
    clock.now += 9.9
    cache.set("key-8", 8)
    assert _files(tmp_path) == 9
    clock.now += 0.1
    cache.set("key-9", 9)
    assert _files(tmp_path) == 9 - 4 + 1


def test_it_is_a_cache(tmp_path: Path, clock: Clock) -> None:
    cache = _cache(tmp_path)
    assert cache.add("counter", 1, timeout=60)
    assert not cache.add("counter", 5, timeout=60)
    assert cache.incr("counter") == 2
    assert cache.get_many(["counter", "missing"]) == {"counter": 2}
    cache.set("gone", "x", timeout=-1)  # already expired
    assert cache.get("gone", "default") == "default"
    cache.clear()
    assert cache.get("counter") is None
