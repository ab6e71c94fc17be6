"""PostgreSQL restarted, then stopped and started again, under load: the app under gunicorn against a
PRIVATE PostgreSQL cluster (never the shared one) answers every request with its normal status or 503 with
Retry-After, never another 5xx; every write that was answered 201 is there, whole (with its timeline
entry); nothing is half-written; and a write answered 503, sent again with its Idempotency-Key, is stored
exactly once."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from .services import SETUP_USER, PrivatePostgres, app_env, gunicorn, logged_in_session, manage

pytestmark = [pytest.mark.services, pytest.mark.slow]

TOKEN = "f" * 40
SETUP = (
    SETUP_USER
    + f"""
from rest_framework.authtoken.models import Token
from directives.models import Authority
Token.objects.create(user=user, key="{TOKEN}")
Authority.objects.create(name="Load authority", jurisdiction="United States (federal)")
"""
)


@dataclass(frozen=True)
class Outcome:
    kind: str
    status: int  # 0: no answer at all
    retry_after: str | None
    reference: str | None = None


class Load:
    """Threads sending a mix of page views, API reads and API writes until stopped."""

    def __init__(self, base: str, session: requests.Session, authority: int) -> None:
        self.base, self.session, self.authority = base, session, authority
        self.outcomes: list[Outcome] = []
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.numbers = itertools.count(1)
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(4)]

    def _api(self) -> requests.Session:
        api = requests.Session()
        api.headers["Authorization"] = f"Token {TOKEN}"
        return api

    def write(self, api: requests.Session, reference: str) -> requests.Response:
        body = {
            "authority": self.authority,
            "reference": reference,
            "title": f"Order {reference}",
            "kind": "export_control",
            "received_at": "2026-11-27T17:21:00-05:00",
        }
        return api.post(
            f"{self.base}/api/v1/directives/", json=body, headers={"Idempotency-Key": reference}, timeout=30
        )

    def _one(self, api: requests.Session, kind: str) -> Outcome:
        reference = None
        try:
            if kind == "page":
                response = self.session.get(f"{self.base}/directives/", timeout=30, allow_redirects=False)
            elif kind == "api read":
                response = api.get(f"{self.base}/api/v1/directives/", timeout=30)
            elif kind == "api dashboard":
                response = api.get(f"{self.base}/api/v1/dashboard/", timeout=30)
            else:
                reference = f"LOAD-{next(self.numbers)}"
                response = self.write(api, reference)
        except requests.RequestException:
            return Outcome(kind, 0, None, reference)
        return Outcome(kind, response.status_code, response.headers.get("Retry-After"), reference)

    def _run(self, i: int) -> None:
        api = self._api()
        kinds = itertools.cycle(
            ["api write", "page", "api read", "api write", "api dashboard"][i:] or ["page"]
        )
        while self.running.is_set():
            outcome = self._one(api, next(kinds))
            with self.lock:
                self.outcomes.append(outcome)
            time.sleep(0.01)

    def __enter__(self) -> Load:
        self.running.set()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.running.clear()
        for thread in self.threads:
            thread.join(timeout=60)


def test_postgres_restarted_and_stopped_under_load_503_never_500(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    env = app_env(private_postgres, tmp_path / "var")
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "shell", "-c", SETUP)
    with psycopg.connect(private_postgres.url) as db:
        row = db.execute("SELECT id FROM directives_authority WHERE name = 'Load authority'").fetchone()
    assert row is not None
    authority = row[0]

    with gunicorn(env, tmp_path / "access.log", workers=2) as (base, server):
        session = logged_in_session(base, server)
        with Load(base, session, authority) as load:
            time.sleep(2)
            private_postgres.restart()  # every kept connection dies at once
            time.sleep(2)
            private_postgres.stop()  # an outage: requests meet a refused connection
            time.sleep(2)
            private_postgres.start()
            time.sleep(3)
        outcomes = list(load.outcomes)

        by_status = Counter((o.kind, o.status) for o in outcomes)
        failures = [o for o in outcomes if o.status == 0 or (o.status >= 500 and o.status != 503)]
        assert not failures, f"{len(failures)} answered neither normally nor 503: {failures[:5]}; {by_status}"
        unavailable = [o for o in outcomes if o.status == 503]
        assert unavailable, f"the outage was not seen: {by_status}"
        assert all(o.retry_after == "5" for o in unavailable)
        assert all(o.status in (200, 201, 503) for o in outcomes), by_status
        assert {o.kind for o in outcomes if o.status in (200, 201)} == {
            "page",
            "api read",
            "api write",
            "api dashboard",
        }

        # A write answered 503 is sent again with its Idempotency-Key: stored once, or replayed.
        api = load._api()
        retried = [o.reference for o in unavailable if o.kind == "api write"]
        for reference in retried:
            assert reference is not None
            assert load.write(api, reference).status_code == 201

    written = {o.reference for o in outcomes if o.kind == "api write" and o.status == 201} | set(retried)
    with psycopg.connect(private_postgres.url) as db:
        references = [r for (r,) in db.execute("SELECT reference FROM directives_directive")]
        counted = db.execute(
            "SELECT count(*) FROM directives_directive d WHERE NOT EXISTS "
            "(SELECT 1 FROM directives_timelineentry e WHERE e.directive_id = d.id)"
        ).fetchone()
    without_record = counted[0] if counted else None
    assert written <= set(references)  # every acknowledged write is there
    assert len(references) == len(set(references))  # none twice
    assert without_record == 0  # nothing half-written: every directive has its receipt on the record
    manage(env, "verify_timeline")
    print(f"\ndatabase restart under load: {dict(sorted(Counter(o.status for o in outcomes).items()))}")
