"""For the pages benchmark, on a generated database (production settings): pick the users and pages, make a
logged-in session for each user, and count the queries of one request per page with Django's test
client (CaptureQueriesContext), on the same data the load test hits.

    DATABASE_URL=... python bench/pages_setup.py --users-per-page 20

Prints one JSON object: for each page, its URL, the session keys of its users, the cookie name, and the
test client's status, query count and time for one request (after one warm-up request).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")


def _login_backend(user: Any) -> str:
    """The first authentication backend that finds ``user`` again from a session, as a sign-in would record
    it. A permissions-only backend (the last one) finds no one: a session naming it is anonymous, which the
    pages answer with a redirect to the sign-in page and the API with 401."""
    from django.conf import settings
    from django.contrib.auth import load_backend

    for path in settings.AUTHENTICATION_BACKENDS:
        backend = load_backend(path)
        if hasattr(backend, "get_user") and backend.get_user(user.pk) == user:
            return str(path)
    raise SystemExit(f"no authentication backend finds {user.username!r} from a session")


def _session_for(user: Any) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = _login_backend(user)
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def _count(user: Any, url: str) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    client.get(url)  # warm-up: first-use imports
    # A request with nothing cached (the dashboard computes its snapshot), then the steady state.
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        started = time.perf_counter()
        client.get(url)
        cold_ms = round((time.perf_counter() - started) * 1000, 1)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    return {
        "status": response.status_code,
        "queries": len(queries.captured_queries),
        "test_client_ms": round(elapsed * 1000, 1),
        "cold_queries": len(cold.captured_queries),
        "cold_test_client_ms": cold_ms,
        "cold_query_ms": round(sum(float(q["time"]) for q in cold.captured_queries) * 1000, 1),
        "bytes": len(response.content),
        "query_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
        "slowest_queries": [
            {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:400]}
            for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users-per-page", type=int, default=20)
    parser.add_argument("--pages", default="", help="comma-separated subset (default: all)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from directives.choices import Role
    from directives.models import Directive
    from directives.states import TASK_ACTIVE

    n = args.users_per_page
    users = get_user_model().objects.filter(is_active=True)
    # Engineers across the range of workloads, from the busiest down (evenly spaced ranks): the load
    # test's median is a typical engineer's board, its tail the busiest ones'.
    ranked = list(
        users.filter(groups__name=Role.ENGINEERING.value)
        .annotate(open_tasks=Count("assigned_tasks", filter=models_q(TASK_ACTIVE)))
        .order_by("-open_tasks", "pk")
    )
    engineers = ranked[:: max(1, len(ranked) // n)][:n]
    readers = list(users.filter(groups__name__in=[Role.EXECUTIVE.value, Role.LEGAL.value]).order_by("pk")[:n])
    legal = list(users.filter(groups__name=Role.LEGAL.value).order_by("pk")[:n])
    sizes = list(Directive.objects.annotate(n=Count("tasks")).order_by("-n").values_list("pk", "n"))
    largest, median = sizes[0], sizes[len(sizes) // 2]
    pages: dict[str, tuple[str, list[Any]]] = {
        "dashboard": ("/dashboard/", readers),
        "my_tasks": ("/tasks/mine/", engineers),
        "directive_largest": (f"/directives/{largest[0]}/", legal),
        "directive_median": (f"/directives/{median[0]}/", legal),
        "api_tasks": ("/api/v1/tasks/", legal),
        "api_dashboard": ("/api/v1/dashboard/", readers),
    }
    if settings.ROOT_URLCONF == "bench.floor_urls":  # bench/floor_settings.py: what any such page costs
        pages.update(
            floor_django=("/bench/floor/django/", legal),
            floor_drf=("/bench/floor/drf/", legal),
        )
    out: dict[str, Any] = {"cookie": settings.SESSION_COOKIE_NAME, "pages": {}}
    wanted = [p for p in args.pages.split(",") if p] or list(pages)
    for name, (url, people) in pages.items():
        if name not in wanted:
            continue
        info = _count(people[0], url)
        info.update(url=url, sessions=[_session_for(u) for u in people], users=[u.username for u in people])
        if name == "my_tasks":
            info["open_tasks_of_first_user"] = engineers[0].open_tasks
            info["open_tasks_per_user"] = [e.open_tasks for e in engineers]
        if name.startswith("directive"):
            info["directive_tasks"] = (largest if name.endswith("largest") else median)[1]
        out["pages"][name] = info
    print(json.dumps(out))


def models_q(statuses: Any) -> Any:
    from django.db.models import Q

    return Q(assigned_tasks__status__in=list(statuses))


if __name__ == "__main__":
    main()
