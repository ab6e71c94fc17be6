# ruff: noqa: S608 - benchmark SQL built from constants and database names this code chose, no user input
"""Helpers shared by the benchmark scripts: databases (generate once, clone per run), subprocesses, results.

Every benchmark database lives on the PostgreSQL server named by ``BENCH_PG`` (default
``postgres://postgres@127.0.0.1:5432``). Generated data is kept in a *template* database named after its
size (``docket_bench_<tasks>_<due>``), with the ``bench_data`` report stored as the database's comment;
each run works on a fresh ``CREATE DATABASE ... TEMPLATE`` clone, so that every run (and the SQL lower
bound) starts from identical rows.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
RESULTS = BENCH / "results"
PYTHON = os.environ.get("BENCH_PYTHON") or sys.executable
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# The instant every generated data set is due at: fixed, so that a template can be reused.
DEFAULT_NOW = "2026-11-29T15:00:00+00:00"


def production_env(db: str) -> dict[str, str]:
    """The environment of a production process (DEBUG off: no query log kept in memory) on ``db``, for
    loopback HTTP (no TLS redirect)."""
    import secrets

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=db_url(db),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DOCKET_CHECKPOINT_KEY=secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
    )
    return env


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def db_url(name: str) -> str:
    return f"{PG}/{name}"


def psql(sql: str, *, db: str = "postgres") -> str:
    """Run SQL with psql (for CREATE/DROP DATABASE, which cannot run in a transaction); return stdout."""
    done = subprocess.run(
        ["psql", db_url(db), "-v", "ON_ERROR_STOP=1", "-qAtX", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def database_exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def drop_database(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, db: str, env: dict[str, str] | None = None, capture: bool = True) -> str:
    """``manage.py`` in a fresh process on database ``db`` (or a script, when the first argument is a
    path to one); returns stdout."""
    full_env = {**os.environ, "DATABASE_URL": db_url(db), **(env or {})}
    full_env.pop("DJANGO_SETTINGS_MODULE", None)
    cmd = [PYTHON, *(args if args[0].endswith(".py") else (str(REPO / "manage.py"), *args))]
    log("$ DATABASE_URL=" + db_url(db) + " " + " ".join(shlex.quote(a) for a in cmd[1:]))
    done = subprocess.run(
        cmd, cwd=REPO, env=full_env, check=True, text=True, stdout=subprocess.PIPE if capture else None
    )
    return done.stdout or ""


def template_name(tasks: int, due: int, users: int | None = None) -> str:
    """``users`` only when not bench_data's default (which grows with the tasks)."""
    return f"docket_bench_{tasks}_{due}" + (f"_u{users}" if users else "")


def ensure_template(
    tasks: int, due: int, *, now: str = DEFAULT_NOW, regenerate: bool = False, users: int | None = None
) -> dict[str, Any]:
    """The template database with ``tasks`` active tasks of which ``due`` newly due at ``now``: generated
    with ``bench_data`` the first time (or with ``regenerate``), reused afterwards. Returns its report."""
    name = template_name(tasks, due, users)
    if database_exists(name) and not regenerate:
        report = json.loads(
            psql(f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'")
            or "{}"
        )
        if report.get("now") and report.get("tasks"):
            migrate(name)
            log(f"reusing {name} (generated {report.get('generated_at')}, now={report['now']})")
            return report
    drop_database(name)
    psql(f'CREATE DATABASE "{name}"')
    migrate(name)
    started = time.perf_counter()
    extra = ["--users", str(users)] if users else []
    out = manage(
        str(BENCH / "bench_data.py"), "--tasks", str(tasks), "--due", str(due), "--now", now, *extra, db=name
    )
    report = json.loads(out.strip().splitlines()[-1])
    report["generated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    report["wall_s"] = round(time.perf_counter() - started, 1)
    comment = json.dumps(report).replace("'", "''")
    psql(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
    psql("VACUUM (ANALYZE)", db=name)
    return report


def migrate(name: str) -> None:
    manage("migrate", "--no-input", "-v0", db=name)


def clone(template: str, name: str) -> str:
    """A fresh copy of ``template`` (file-level copy on the server), then a checkpoint: PostgreSQL 15's
    default strategy (WAL_LOG) writes the whole copy to the WAL, and the checkpoint that follows would
    flush gigabytes while the measurement runs. FILE_COPY checkpoints before and after the copy itself."""
    drop_database(name)
    started = time.perf_counter()
    psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    psql("CHECKPOINT")
    log(f"cloned {template} -> {name} in {time.perf_counter() - started:.1f} s")
    return name


PROBE_RUNS = 7


def speed_probe(runs: int = PROBE_RUNS) -> dict[str, float]:
    """Seconds one core takes for a fixed piece of pure Python (``sum(range(10**7))``), ``runs`` times a
    second apart: min, median and max. On a quiet core it takes about 0.12 s here. The machine is a
    virtual one on a shared host whose contention the guest does not see (no steal time, load average
    unchanged): the same loop has taken up to 1.2 s. A run's figures are only comparable with another's
    when their probes are (docs/benchmarks.md, "Where and how busy")."""
    times = []
    for i in range(runs):
        if i:
            time.sleep(1)
        started = time.perf_counter()
        sum(range(10**7))
        times.append(time.perf_counter() - started)
    times.sort()
    return {
        "min_s": round(times[0], 3),
        "median_s": round(times[len(times) // 2], 3),
        "max_s": round(times[-1], 3),
    }


def machine() -> dict[str, Any]:
    """What the figures were measured on, including how busy it was (the machine is shared) and how fast
    one of its cores was at the time (``speed_probe``)."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "speed_probe": speed_probe(),
    }
    try:
        info["postgres"] = psql("SHOW server_version")
        info["shared_buffers"] = psql("SHOW shared_buffers")
    except (subprocess.CalledProcessError, FileNotFoundError):
        pass
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["mem_gb"] = round(int(mem) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    return info


def save(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    (RESULTS / f"{name}-latest.json").write_text(json.dumps(data, indent=2, default=str))
    log(f"results: {path}")
    return path


def child_figures(script: str, args: list[str], env: dict[str, str]) -> Any:
    """Run ``script --child ARGS`` in a fresh process with ``env`` and return the JSON of its last line."""
    done = subprocess.run(
        [PYTHON, script, "--child", *args], cwd=REPO, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_in_child(
    benchmark: str,
    script: str,
    child_args: list[str],
    env: dict[str, str],
    args: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    """The speed probe, ``script --child ARGS`` in a fresh process, and the result saved under ``benchmark``
    with the machine's description (the shape of every in-process benchmark's result)."""
    probe_before = machine()["speed_probe"]
    figures = child_figures(script, child_args, env)
    result = {
        "benchmark": benchmark,
        "args": args,
        **extra,
        "figures": figures,
        "speed_probe_before": probe_before,
        "machine": machine(),
    }
    save(benchmark, result)
    return result


def lower_bound(db: str, at: str) -> dict[str, Any]:
    """bench/lower_bound.py's statements on database ``db`` at instant ``at``, in a fresh process: the
    SQL lower bound of a sweep's writes (wall, CPU and each statement's time and rows)."""
    done = subprocess.run(
        [PYTHON, str(BENCH / "lower_bound.py"), "--dsn", db_url(db), "--now", at],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result
