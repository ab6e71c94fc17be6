"""Pages and API under load: gunicorn (production settings) on a clone of a generated database, wrk with
20 concurrent connections per page, each request carrying one of 20 users' sessions.

    python bench/pages.py --tasks 1000000 --due 10000 --connections 20 --duration 20

Every answer timed must be the page itself: each user's session is checked first (a 2xx, not a redirect to
sign in nor a 401), and a run in which wrk sees any answer that is not 2xx stops with an error instead of
reporting figures.

Per page: p50, p90, p95, p99 and requests/s from wrk (latency percentiles computed by its Lua ``done``
hook, bench/wrk_sessions.lua), and the queries of one request counted with Django's test client
(CaptureQueriesContext) on the same data (bench/pages_setup.py). Needs ``wrk`` (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# Run as a script (python bench/pages.py): the repository root is what makes `bench` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BENCH,
    DEFAULT_NOW,
    PYTHON,
    REPO,
    clone,
    drop_database,
    ensure_template,
    log,
    machine,
    migrate,
    production_env,
    save,
    speed_probe,
    template_name,
)

PAGES = (
    "dashboard",
    "my_tasks",
    "directive_largest",
    "directive_median",
    "api_tasks",
    "api_dashboard",
    "floor_django",  # bench/floor_urls.py: the stack's own cost for an authenticated JSON page
    "floor_drf",
)
# The largest directive's page is left out by default: at a million tasks it holds tens of thousands.
# For --cache-entries: N entries that stay for the run, as the counters of other clients active in the
# last two minutes would (the throttle keeps two per client).
FILL_CACHE = """
import sys, django
django.setup()
from django.core.cache import cache
for i in range(int(sys.argv[1])):
    cache.set(f"bench:other-client:{i}", i, 3600)
"""
DEFAULT_PAGES = ("dashboard", "my_tasks", "directive_median", "api_tasks", "api_dashboard")
TARGETS_P95_MS = {"dashboard": 150, "api_tasks": 100}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback healthz
                if r.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"gunicorn did not answer {url} in {timeout} s")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer of its own (an anonymous session is sent to the sign-in page), not a page."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class NotMeasured(SystemExit):
    """The server answered something other than the page: timing it would measure the wrong thing."""


def _get(url: str, cookie: str, timeout: float = 300) -> float:
    """One request, waited for; returns its seconds. Anything but a 2xx answer stops the benchmark."""
    started = time.perf_counter()
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - loopback
    try:
        with _OPENER.open(request, timeout=timeout) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx
        status = exc.code
    if not 200 <= status < 300:
        raise NotMeasured(
            f"{url} answered {status} (cookie {cookie.split('=')[0] or 'none'}): not a page to time"
        )
    return time.perf_counter() - started


def _check_answers(name: str, load: dict[str, Any]) -> None:
    """wrk's run of ``name`` counted only 2xx answers; otherwise the figures time errors and the run stops."""
    bad = {"non_2xx": load["non_2xx"], "status_errors": load["errors"]["status"]}
    if any(bad.values()):
        raise NotMeasured(f"{name}: wrk saw answers that are not the page: {bad}")


def run(
    *,
    tasks: int,
    due: int,
    connections: int,
    duration: int,
    workers: int | None,
    pages: tuple[str, ...] = DEFAULT_PAGES,
    now: str = DEFAULT_NOW,
    users: int | None = None,
    refresher: bool = False,
    cache_entries: int = 0,
) -> dict[str, Any]:
    probe_before = speed_probe()  # how fast a core is as the run starts; machine() probes again at its end
    log(f"speed probe: {probe_before}")
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian)")
    generated = ensure_template(tasks, due, now=now, users=users)
    db = clone(template_name(tasks, due, users), f"{template_name(tasks, due, users)}_pages")
    migrate(db)
    env = production_env(db)
    # A load test from 20 users must not be throttled as one abusive client would be.
    env.update(API_THROTTLE_USER="1000000/min", DB_CONN_MAX_AGE="600")
    if any(p.startswith("floor_") for p in pages):  # the project's URLs plus the floors, nothing else
        env["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
    # Collected static files go beside the results, not into the checkout's staticfiles/: the test suite
    # serves from that folder when it exists, and a production manifest there stalled the Swagger UI test.
    env["DOCKET_STATIC_ROOT"] = str(BENCH / "results" / "staticfiles")
    # Production settings serve hashed static names from a manifest: collect them first.
    subprocess.run(
        [PYTHON, str(REPO / "manage.py"), "collectstatic", "--no-input", "-v0"], cwd=REPO, env=env, check=True
    )
    setup = subprocess.run(
        [
            PYTHON,
            str(BENCH / "pages_setup.py"),
            "--users-per-page",
            str(connections),
            "--pages",
            ",".join(pages),
        ],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(setup.stdout.strip().splitlines()[-1])
    if cache_entries:  # other clients' throttle counters and the like, in the cache the server will use
        log(f"writing {cache_entries} entries into the cache ({env.get('CACHE_URL') or 'the default'})")
        subprocess.run([PYTHON, "-c", FILL_CACHE, str(cache_entries)], cwd=REPO, env=env, check=True)
    port = _free_port()
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}")
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    worker_count = int(env.get("GUNICORN_WORKERS") or 2 * (os.cpu_count() or 1) + 1)
    log(f"gunicorn on 127.0.0.1:{port} ({env.get('GUNICORN_WORKERS', 'default')} workers), database {db}")
    (BENCH / "results").mkdir(parents=True, exist_ok=True)  # a fresh clone has no results yet
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", str(REPO / "compliance" / "gunicorn.conf.py")],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(BENCH / "results" / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
        start_new_session=True,
    )
    side: subprocess.Popen[bytes] | None = None
    if refresher:  # the worker's dashboard refresh, as beat would run it (bench/refresher.py)
        side = subprocess.Popen(
            [
                PYTHON,
                str(BENCH / "refresher.py"),
                "--every",
                env.get("DOCKET_DASHBOARD_REFRESH_SECONDS", "30"),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(BENCH / "results" / "refresher.log", "w"),  # noqa: SIM115 - closed with the process
            start_new_session=True,
        )
    results: dict[str, Any] = {}
    try:
        _wait_up(f"http://127.0.0.1:{port}/healthz")
        for name in pages:
            page = info["pages"][name]
            url = f"http://127.0.0.1:{port}{page['url']}"
            wrk_env = {
                **os.environ,
                "BENCH_COOKIE_NAME": info["cookie"],
                "BENCH_SESSIONS": ",".join(page["sessions"]),
            }
            # Warm-up: as many clients as workers, each request completed (a wrk warm-up would leave
            # abandoned requests queued at the server, which the measured run would then wait behind),
            # so that every worker has imported, connected and rendered the page before the clock starts:
            # the figures are the steady state of long-lived workers.
            if not 200 <= page["status"] < 300:
                raise NotMeasured(f"{name}: the test client got {page['status']} for {page['url']}")
            # Every session answers the page itself (not a redirect to sign in, not a 401), once each.
            for key in page["sessions"]:
                _get(url, f"{info['cookie']}={key}")
            cookie = f"{info['cookie']}={page['sessions'][0]}"
            with ThreadPoolExecutor(worker_count) as pool:
                warm = list(pool.map(_get, [url] * 4 * worker_count, [cookie] * 4 * worker_count))
            log(f"wrk {connections} connections x {duration} s: {page['url']}")
            done = subprocess.run(
                [
                    wrk,
                    "-t2",
                    f"-c{connections}",
                    f"-d{duration}s",
                    "--timeout",
                    "30s",
                    "-s",
                    str(BENCH / "wrk_sessions.lua"),
                    url,
                ],
                env=wrk_env,
                capture_output=True,
                text=True,
                check=True,
            )
            line = next(ln for ln in reversed(done.stdout.splitlines()) if ln.startswith("{"))
            load = json.loads(line)
            _check_answers(name, load)
            # Requests still running when wrk stopped are finished by the server: wait for them (the
            # listen queue is first in, first out) before the next page.
            drained = _get(f"http://127.0.0.1:{port}/healthz", "", timeout=600)
            results[name] = {
                "url": page["url"],
                **load,
                "queries_per_request": page["queries"],
                "sequential_warmup_s": [round(w, 3) for w in warm],
                "drain_s": round(drained, 3),
                "test_client": {
                    k: page[k]
                    for k in (
                        "status",
                        "test_client_ms",
                        "query_ms",
                        "bytes",
                        "slowest_queries",
                        "cold_queries",
                        "cold_test_client_ms",
                        "cold_query_ms",
                    )
                },
                **{k: page[k] for k in ("open_tasks_per_user", "directive_tasks") if k in page},
            }
            log(
                f"{name}: p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, p99 {load['p99_ms']} ms, "
                f"{load['rps']}/s, {page['queries']} queries"
            )
    finally:
        if side is not None:
            os.killpg(side.pid, signal.SIGTERM)
            side.wait(timeout=60)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        drop_database(db)
    result = {
        "benchmark": "pages",
        "command": f"python bench/pages.py --tasks {tasks} --due {due} --connections {connections} --duration {duration}"
        + (f" --users {users}" if users else "")
        + (" --refresher" if refresher else "")
        + (f" --cache-entries {cache_entries}" if cache_entries else ""),
        "cache": env.get("CACHE_URL") or "default",
        "machine": machine(),
        "speed_probe_before": probe_before,
        "data": generated,
        "gunicorn_workers": env.get("GUNICORN_WORKERS", "2 x cores + 1"),
        "pages": results,
        "targets": {
            "dashboard_p95_under_150ms": results.get("dashboard", {}).get("p95_ms", 1e9) < 150,
            # Both the steady state (snapshot cached) and a request that computes the snapshot.
            "dashboard_at_most_15_queries": max(
                results.get("dashboard", {}).get("queries_per_request", 1e9),
                results.get("dashboard", {}).get("test_client", {}).get("cold_queries", 1e9),
            )
            <= 15,
            "api_list_p95_under_100ms": results.get("api_tasks", {}).get("p95_ms", 1e9) < 100,
        },
    }
    save(f"pages-{tasks}", result)
    return result


def summary(result: dict[str, Any]) -> str:
    probes = f"speed probe before {result['speed_probe_before']}, after {result['machine']['speed_probe']}"
    return (
        probes
        + "\n"
        + "\n".join(
            f"{name}: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, {r['rps']}/s, "
            f"{r['queries_per_request']} queries, {r['non_2xx']} answers not 2xx, errors {r['errors']}"
            for name, r in result["pages"].items()
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--users", type=int, default=None, help="bench_data --users (default: its own)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: its config)")
    parser.add_argument(
        "--refresher",
        action="store_true",
        help="run the worker's dashboard refresh beside gunicorn (bench/refresher.py)",
    )
    parser.add_argument(
        "--cache-entries",
        type=int,
        default=0,
        help="write this many entries into the server's cache before the load (other clients' counters)",
    )
    parser.add_argument(
        "--pages", default=",".join(DEFAULT_PAGES), help="comma-separated, from " + ",".join(PAGES)
    )
    args = parser.parse_args()
    result = run(
        tasks=args.tasks,
        due=args.due,
        connections=args.connections,
        duration=args.duration,
        workers=args.workers,
        pages=tuple(p for p in args.pages.split(",") if p),
        users=args.users,
        refresher=args.refresher,
        cache_entries=args.cache_entries,
    )
    print(summary(result))


if __name__ == "__main__":
    main()
