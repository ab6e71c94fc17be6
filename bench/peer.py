"""Peer benchmark: django-helpdesk's ``escalate_tickets`` against Docket's sweep, same machine, same run.

    python bench/peer.py --tickets 100000 --eligible 10000 --tasks 100000 --due 10000

django-helpdesk is installed from PyPI into its own venv (bench/.venv-helpdesk, git-ignored) the first time,
with its own small Django project (bench/peer_helpdesk) on PostgreSQL database ``docket_bench_helpdesk``.
Both sides run in a fresh process with DEBUG off; the figure compared is wall time per escalated item.
In the same run, bench/lower_bound.py's statements on another clone of Docket's data give the SQL lower
bound of the same rows: how much faster than helpdesk any implementation writing them could be here.

``--queues N`` runs escalate_tickets on N of its 10 queues only (each holds a tenth of the eligible
tickets), to bound its run time on a busy machine; the per-ticket figure is what is compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# Run as a script (python bench/peer.py): the repository root is what makes `bench` importable.
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
    lower_bound,
    machine,
    production_env,
    psql,
    save,
    template_name,
)

HELPDESK_VENV = BENCH / ".venv-helpdesk"
HELPDESK_PY = HELPDESK_VENV / "bin" / "python"
PEER = BENCH / "peer_helpdesk"
# A release that runs on an available Django (5.2 LTS, as Docket), and the driver Docket pins.
HELPDESK_REQUIREMENTS = ["django-helpdesk==2.6.1", "Django==5.2.19", "psycopg[binary]==3.3.9"]
PEER_DB = "docket_bench_helpdesk"


def ensure_venv() -> str:
    if not HELPDESK_PY.exists():
        log(f"creating {HELPDESK_VENV} and installing {' '.join(HELPDESK_REQUIREMENTS)} from PyPI")
        subprocess.run(["python3", "-m", "venv", str(HELPDESK_VENV)], check=True)
        subprocess.run(
            [str(HELPDESK_PY), "-m", "pip", "install", "--quiet", *HELPDESK_REQUIREMENTS], check=True
        )
    done = subprocess.run(
        [str(HELPDESK_PY), "-m", "pip", "show", "django-helpdesk"], check=True, capture_output=True, text=True
    )
    version = next(
        (line.split(":", 1)[1].strip() for line in done.stdout.splitlines() if line.startswith("Version")),
        "?",
    )
    return version


def _peer(*args: str) -> dict[str, Any]:
    env = {**os.environ, "PEER_DB": PEER_DB}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(HELPDESK_PY), str(PEER / "peer_bench.py"), *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=PEER,
        env=env,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_helpdesk(tickets: int, eligible: int, queues: int | None) -> dict[str, Any]:
    version = ensure_venv()
    drop_database(PEER_DB)
    psql(f'CREATE DATABASE "{PEER_DB}"')
    env = {**os.environ, "PEER_DB": PEER_DB}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [str(HELPDESK_PY), "manage.py", "migrate", "--no-input", "-v0"], check=True, cwd=PEER, env=env
    )
    log(f"helpdesk {version}: {tickets} tickets, {eligible} eligible")
    data = _peer("data", "--tickets", str(tickets), "--eligible", str(eligible))
    args = ["escalate"] + (["--queues", *[f"queue-{i}" for i in range(queues)]] if queues else [])
    log("escalate_tickets" + (f" on {queues} of 10 queues" if queues else ""))
    result = _peer(*args)
    return {"version": version, "data": data, "queues": queues or 10, **result}


def run_docket(tasks: int, due: int, now: str, users: int | None = None) -> dict[str, Any]:
    generated = ensure_template(tasks, due, now=now, users=users)
    at = (dt.datetime.fromisoformat(generated["now"]) + dt.timedelta(seconds=90)).isoformat()
    db = clone(template_name(tasks, due, users), f"{template_name(tasks, due, users)}_peer")
    done = subprocess.run(
        [PYTHON, str(BENCH / "sweep_worker.py"), "--now", at],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=production_env(db),
    )
    drop_database(db)
    worker = json.loads(done.stdout.strip().splitlines()[-1])
    sweep = worker["due_sweep"]
    escalated = sweep["result"]["escalations"]
    return {
        "tasks": generated["tasks"],
        "due": generated["due"],
        "wall_s": sweep["wall_s"],
        "queries": sweep["queries"],
        "escalated": escalated,
        "cpu_s": sweep["cpu_s"],
        **_per_item(sweep["wall_s"], sweep["cpu_s"], escalated),
        "peak_rss_mb": worker["peak_rss_mb"],
        "sweep_at": at,
    }


def run_lower_bound(tasks: int, due: int, at: str, users: int | None = None) -> dict[str, Any]:
    """The SQL lower bound (bench/lower_bound.py) on a clone of the same data as Docket's sweep, at the
    sweep's instant: the least any implementation that writes Docket's rows for these escalations can take
    on this machine."""
    db = clone(template_name(tasks, due, users), f"{template_name(tasks, due, users)}_peer_lb")
    log(f"lower bound on {db} at {at}")
    lower = lower_bound(db, at)
    drop_database(db)
    escalated = next(step["rows"] for step in lower["steps"] if step["step"] == "escalations")
    return {
        "wall_s": lower["wall_s"],
        "cpu_s": lower["cpu_s"],
        "statements": lower["statements"],
        "escalated": escalated,
        **_per_item(lower["wall_s"], lower["cpu_s"], escalated),
        "steps": lower["steps"],
    }


def _per_item(wall_s: float, cpu_s: float, escalated: int) -> dict[str, float | None]:
    return {
        "ms_per_escalated": round(wall_s * 1000 / escalated, 4) if escalated else None,
        "cpu_ms_per_escalated": round(cpu_s * 1000 / escalated, 4) if escalated else None,
    }


def _ratio(slower: dict[str, Any], faster: dict[str, Any], key: str) -> float | None:
    return round(slower[key] / faster[key], 1) if slower.get(key) and faster.get(key) else None


def run(
    *,
    tickets: int,
    eligible: int,
    tasks: int,
    due: int,
    queues: int | None,
    now: str = DEFAULT_NOW,
    users: int | None = None,
) -> dict[str, Any]:
    helpdesk = run_helpdesk(tickets, eligible, queues)
    docket = run_docket(tasks, due, now, users)
    lower = run_lower_bound(tasks, due, docket["sweep_at"], users)
    ratio = _ratio(helpdesk, docket, "ms_per_escalated")
    cpu_ratio = _ratio(helpdesk, docket, "cpu_ms_per_escalated")
    result = {
        "benchmark": "peer",
        "command": f"python bench/peer.py --tickets {tickets} --eligible {eligible} --tasks {tasks} --due {due}"
        + (f" --queues {queues}" if queues else "")
        + (f" --users {users}" if users else ""),
        "machine": machine(),
        "helpdesk": helpdesk,
        "docket": docket,
        "lower_bound": lower,
        "docket_faster_per_item": ratio,
        "docket_faster_per_item_cpu": cpu_ratio,
        # The most any implementation writing Docket's rows could be faster than helpdesk, here and now.
        "lower_bound_faster_per_item": _ratio(helpdesk, lower, "ms_per_escalated"),
        "lower_bound_faster_per_item_cpu": _ratio(helpdesk, lower, "cpu_ms_per_escalated"),
        "targets": {"at_least_100x_faster_per_item": bool(ratio and ratio >= 100)},
    }
    save("peer", result)
    return result


def summary(result: dict[str, Any]) -> str:
    h, d, lb = result["helpdesk"], result["docket"], result["lower_bound"]
    return (
        f"helpdesk {h['version']}: {h['escalated']} escalated in {h['wall_s']} s = {h['ms_per_escalated']} ms/ticket, "
        f"{h['queries_per_escalated']} queries/ticket; docket: {d['escalated']} escalated in {d['wall_s']} s = "
        f"{d['ms_per_escalated']} ms/task; docket {result['docket_faster_per_item']}x faster per item "
        f"(CPU: {h['cpu_ms_per_escalated']} vs {d['cpu_ms_per_escalated']} ms, {result['docket_faster_per_item_cpu']}x); "
        f"SQL lower bound of Docket's rows: {lb['ms_per_escalated']} ms/task, "
        f"{result['lower_bound_faster_per_item']}x faster than helpdesk "
        f"(CPU {lb['cpu_ms_per_escalated']} ms, {result['lower_bound_faster_per_item_cpu']}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--eligible", type=int, default=10_000)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=None, help="bench_data --users (default: its own)")
    parser.add_argument("--queues", type=int, default=None, help="escalate only this many of the 10 queues")
    args = parser.parse_args()
    result = run(
        tickets=args.tickets,
        eligible=args.eligible,
        tasks=args.tasks,
        due=args.due,
        queues=args.queues,
        users=args.users,
    )
    print(summary(result))


if __name__ == "__main__":
    main()
