# ruff: noqa: S608 - benchmark SQL built from constants this script chose, no user input
"""Search benchmark: 20 queries over N directives, each with its full text, one document's text and a task,
on the embedded default (SQLite FTS5) or PostgreSQL (tsvector + GIN), through ``selectors.search.search``
as the search page calls it (the first page of 20 hits, their passages, and the total).

    python bench/search.py --directives 100000                  # SQLite, in a temporary folder
    python bench/search.py --directives 100000 --postgres       # PostgreSQL: database docket_bench_search

The data are generated once per database (seeded; rows written with bulk inserts, so the index triggers
run as they do for any insert) and reused while the row count matches (another count regenerates them). The
text is drawn from a 5,000-word vocabulary with a Zipf-like spread, plus a few words planted at known
rates (common, rare, absent), so that the queries cover a word in every second document, in one in a
thousand, and in none. Timeline entries are not generated (they are indexed like the rest; their number
depends on each directive's history). Prints JSON: the per-query figures, p50, p95 and max in ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG_DB = "docket_bench_search"
BATCH = 5_000
PLANTED = {  # word: share of directives whose document holds it
    "nationals": 0.5,
    "mythos": 0.05,
    "jailbreak": 0.01,
    "quarantine": 0.001,
}
QUERIES = [
    "nationals",
    "national",
    "mythos",
    "jailbreak",
    "quarantine",
    "quarantined checkpoint",
    "blocking nationals",
    "mythos jailbreak",
    "nationals mythos jailbreak",
    "zebrafish",
    "order",
    "remediation plan",
    "vor",
    "ka",
    "lumor tesan",
    "nationals quarantine",
    "foreign nationals mythos",
    "BIS-ORD-2026-000417",
    "classifier",
    "export control",
]


def _setup(postgres: bool) -> None:
    if postgres:
        pg = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
        exists = subprocess.run(
            ["psql", f"{pg}/postgres", "-qAtX", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(["psql", f"{pg}/postgres", "-qAtX", "-c", f"CREATE DATABASE {PG_DB}"], check=True)
        os.environ["DATABASE_URL"] = f"{pg}/{PG_DB}"
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DOCKET_VAR_DIR", str(Path(tempfile.gettempdir()) / "docket-bench-search"))
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DOCKET_IGNORE_DOTENV"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "compliance.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)


def _vocabulary(rng: random.Random) -> list[str]:
    syllables = [
        "ka",
        "lo",
        "mi",
        "ter",
        "san",
        "vor",
        "el",
        "qui",
        "dra",
        "nu",
        "pex",
        "ro",
        "tes",
        "an",
        "lum",
    ]
    words: set[str] = set()
    while len(words) < 5_000:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    domain = [
        "order",
        "export",
        "control",
        "remediation",
        "plan",
        "classifier",
        "model",
        "access",
        "foreign",
        "block",
        "suspend",
    ]
    return sorted(words) + domain


def _text(rng: random.Random, vocab: list[str], weights: list[float], words: int) -> str:
    return " ".join(rng.choices(vocab, weights=weights, k=words)).capitalize() + "."


def generate(count: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from directives.models import Authority, Directive, DirectiveDocument, RemediationTask

    if Directive.objects.count() == count:
        return {"generated": False}
    rng = random.Random(20261127)
    vocab = _vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    started = time.perf_counter()
    with connection.cursor() as cursor:  # start from nothing (the bench database is the bench's own)
        for table in ("directives_remediationtask", "directives_directivedocument"):
            cursor.execute(f"DELETE FROM {table}")
    Directive.objects.filter(reference__startswith="BIS-ORD-2026-").delete()
    user = get_user_model().objects.get_or_create(username="bench-search")[0]
    authority = Authority.objects.get_or_create(
        name="Bench authority", defaults={"jurisdiction": "Bench", "time_zone": "America/New_York"}
    )[0]
    received = dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        directives = Directive.objects.bulk_create(
            Directive(
                authority=authority,
                reference=f"BIS-ORD-2026-{start + i:06d}",
                title=_text(rng, vocab, weights, 8),
                kind="export_control",
                summary=_text(rng, vocab, weights, 30),
                full_text=_text(rng, vocab, weights, 120),
                received_at=received - dt.timedelta(minutes=start + i),
                created_by=user,
            )
            for i in range(size)
        )
        documents = []
        for directive in directives:
            body = _text(rng, vocab, weights, 120)
            planted = [w for w, share in PLANTED.items() if rng.random() < share]
            if "quarantine" in planted:
                planted.append("quarantined checkpoint")
            documents.append(
                DirectiveDocument(
                    directive=directive,
                    file=f"bench/{directive.pk}.txt",
                    original_name=f"letter-{directive.pk}.txt",
                    content_type="text/plain",
                    size=len(body),
                    sha256="0" * 64,
                    uploaded_by=user,
                    uploaded_at=received,
                    text=body + " " + " ".join(planted),
                    text_state="extracted",
                )
            )
        DirectiveDocument.objects.bulk_create(documents)
        RemediationTask.objects.bulk_create(
            RemediationTask(
                directive=d, title=_text(rng, vocab, weights, 6), description=_text(rng, vocab, weights, 25)
            )
            for d in directives[::2]
        )
        print(f"[bench] {start + size:,} directives", file=sys.stderr, flush=True)
    return {"generated": True, "seconds": round(time.perf_counter() - started, 1)}


def measure() -> dict[str, Any]:
    from directives.selectors.search import search

    for query in QUERIES:  # one pass to warm the caches (the page cache, SQLite's, PostgreSQL's)
        search(query)
    rows: list[dict[str, Any]] = []
    for query in QUERIES:
        started = time.perf_counter()
        results = search(query)
        rows.append(
            {"q": query, "ms": round((time.perf_counter() - started) * 1000, 1), "total": results.total}
        )
    times: list[float] = sorted(r["ms"] for r in rows)
    return {
        "queries": rows,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(statistics.quantiles(times, n=20, method="inclusive")[18], 1),
        "max_ms": times[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--directives", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    _setup(args.postgres)
    from django.db import connection

    report: dict[str, Any] = {
        "backend": connection.vendor,
        "directives": args.directives,
        "data": generate(args.directives),
        **measure(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
