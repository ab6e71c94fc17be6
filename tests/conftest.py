from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from directives.choices import Role

from .browser import browser, console, ensure_reference_data, page  # noqa: F401  (fixtures, once)
from .factories import UserFactory

# Playwright's sync API runs an event loop in the test thread (tests only; see PITFALLS.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_services = _django_ready()
    if os.environ.get("DOCKET_REQUIRE_SERVICES") and not on_services:
        raise pytest.UsageError("DOCKET_REQUIRE_SERVICES is set but DATABASE_URL is not PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL + Redis: run `make test-services`")
    for item in items:
        if item.get_closest_marker("services") is not None and not on_services:
            item.add_marker(skip)


def _django_ready() -> bool:
    try:
        from django.conf import settings

        return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    except Exception:
        return False


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """On SQLite the test database is a file, not Django's shared in-memory database: the live server's
    request threads and the test thread then hold connections of their own, which wait for each other's
    write lock (WAL, IMMEDIATE transactions, a busy timeout: the settings' options) instead of failing at
    once with "database table is locked", as connections to one shared-cache memory database do.

    With DOCKET_TEST_DB_ROLES on PostgreSQL, the migrations run as an owner role (tests/db_roles.py)."""
    from django.conf import settings

    from . import db_roles

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    if db_roles.enabled():
        with django_db_blocker.unblock():
            db_roles.prepare()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """...and every test runs as the runtime role, which may only read and append to the timeline."""
    from . import db_roles

    if db_roles.enabled():
        with django_db_blocker.unblock():
            db_roles.switch_to_runtime()


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_timeline_guards() -> Any:
    """Between transactional tests Django flushes every table, which the timeline's guards refuse (migration
    0013): the flush, and only the flush, runs with them lifted (tests/db_guards.py)."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from .db_guards import guards_lifted

    flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: BaseDatabaseOperations, sql_list: list[str]) -> None:
        with guards_lifted(self.connection):
            flush(self, sql_list)

    patch = pytest.MonkeyPatch()
    patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request: pytest.FixtureRequest) -> None:
    """A transactional test's teardown flushes every table, the data migrations' rows included (role
    groups, audiences, default escalation policies), and serialized rollback did not bring them back in a
    full run: put them back before each transactional test, with the migrations' own functions."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """The in-process cache (throttle counters, the dashboard's snapshot) outlives a test's database
    transaction: each test starts and ends with it empty, so no test sees another's figures."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "checkpoints": {
            **settings.STORAGES["checkpoints"],
            "OPTIONS": {
                **settings.STORAGES["checkpoints"]["OPTIONS"],
                "location": str(tmp_path / "checkpoints"),
            },
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2026, 11, 27, 22, 40, tzinfo=dt.UTC)  # Friday 17:40 ET


@pytest.fixture
def legal(db: Any) -> Any:
    return UserFactory(username="legal-test", role=Role.LEGAL)


@pytest.fixture
def engineer(db: Any) -> Any:
    return UserFactory(username="eng-test", role=Role.ENGINEERING)


@pytest.fixture
def engineer2(db: Any) -> Any:
    return UserFactory(username="eng2-test", role=Role.ENGINEERING)


@pytest.fixture
def world(legal: Any, engineer: Any, engineer2: Any) -> Any:
    """The selectors' reference data (tests/selectors/world.py), for the pages and the API that show it."""
    from .selectors.world import build_world

    return build_world(legal=legal, engineer=engineer, engineer2=engineer2)


@pytest.fixture
def executive(db: Any) -> Any:
    return UserFactory(username="exec-test", role=Role.EXECUTIVE)


@pytest.fixture
def auditor(db: Any) -> Any:
    return UserFactory(username="audit-test", role=Role.AUDITOR)


@pytest.fixture
def admin_user(db: Any) -> Any:
    return UserFactory(username="admin-test", is_staff=True, is_superuser=True)
