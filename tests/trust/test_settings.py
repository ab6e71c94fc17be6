"""Production settings, checked in a fresh process started with the production environment, the way a
server starts: `manage.py check --deploy` is clean, secrets come from the environment, and the headers,
cookies and password hasher are the production ones."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DOCKET_", "DATABASE_URL", "CELERY_", "AXES_", "CACHE_URL"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="docket.example.com",
        DOCKET_BASE_URL="https://docket.example.com",
        DOCKET_CHECKPOINT_KEY=secrets.token_urlsafe(48),
        DOCKET_VAR_DIR=str(tmp_path / "var"),  # never the developer's var/
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings(tmp_path) -> None:
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    # The one message: on the embedded database there are no roles to check (tests/trust/test_db_roles.py).
    output = result.stdout + result.stderr
    assert "System check identified 1 issue (0 silenced)" in output
    assert "(docket.I030) Database role separation is not checked on sqlite" in output


def test_without_a_secret_key_production_refuses_to_start(tmp_path) -> None:
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "refuses to start" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # says how to make one


def test_check_deploy_fails_on_a_short_secret_key(tmp_path) -> None:
    result = manage(
        production_env(tmp_path, DJANGO_SECRET_KEY="short"), "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_without_a_checkpoint_key_production_refuses_to_start(tmp_path) -> None:
    env = production_env(tmp_path)
    del env["DOCKET_CHECKPOINT_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "DOCKET_CHECKPOINT_KEY is not set" in result.stderr
    assert "refuses to start" in result.stderr


def test_check_refuses_evidence_inside_static_files(tmp_path) -> None:
    result = manage(production_env(tmp_path, DOCKET_MEDIA_ROOT=str(ROOT / "static" / "evidence")), "check")
    assert result.returncode != 0
    assert "docket.E010" in result.stderr


def test_s3_storage_is_selected_by_environment(tmp_path) -> None:
    env = production_env(
        tmp_path,
        DOCKET_FILE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="docket-evidence",
        AWS_S3_REGION_NAME="us-east-1",
    )
    code = "from django.conf import settings; import json; print(json.dumps(settings.STORAGES['default']))"
    result = manage(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "docket-evidence"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_s3_storage_without_a_bucket_is_refused(tmp_path) -> None:
    result = manage(production_env(tmp_path, DOCKET_FILE_STORAGE="s3"), "check")
    assert result.returncode != 0
    assert "docket.E011" in result.stderr


PROBE = """
import json
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="docket.example.com")
page = client.get("/login/", secure=True)
plain = client.get("/login/", secure=False)
health = client.get("/healthz", secure=False)
by_address = Client(HTTP_HOST="10.0.3.7:8000").get("/healthz")
other_by_address = Client(HTTP_HOST="10.0.3.7:8000").get("/login/", secure=True)
print(json.dumps({
    "hashers": settings.PASSWORD_HASHERS,
    "status": page.status_code,
    "headers": dict(page.headers),
    "cookies": {name: {"secure": bool(c["secure"]), "httponly": bool(c["httponly"]), "samesite": c["samesite"]}
                for name, c in page.cookies.items()},
    "session_cookie": settings.SESSION_COOKIE_NAME,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "session_age": settings.SESSION_COOKIE_AGE,
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "health_status": health.status_code,
    "health_by_address": by_address.status_code,
    "other_by_address": other_by_address.status_code,
    "health": health.json() if health.status_code in (200, 503) else None,
}))
"""


@pytest.fixture(scope="module")
def production_page(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("prod")
    env = production_env(tmp, DOCKET_STATIC_ROOT=str(tmp / "static"))
    for command in (("migrate", "--no-input", "-v", "0"), ("collectstatic", "--no-input", "-v", "0")):
        done = manage(env, *command)
        assert done.returncode == 0, done.stderr
    result = manage(env, "shell", "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_argon2_is_the_password_hasher(production_page) -> None:
    assert production_page["hashers"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_production_cookies_are_secure_http_only_and_host_prefixed(production_page) -> None:
    assert production_page["session_secure"] and production_page["csrf_secure"]
    assert production_page["session_cookie"].startswith("__Host-")
    assert production_page["session_age"] <= 8 * 3600
    assert production_page["status"] == 200
    csrf = production_page["cookies"]["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_production_page_has_hsts_and_a_strict_csp(production_page) -> None:
    headers = {k.lower(): v for k, v in production_page["headers"].items()}
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    csp = headers["content-security-policy"]
    directives = dict(
        part.strip().split(" ", 1) if " " in part.strip() else (part.strip(), "") for part in csp.split(";")
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "upgrade-insecure-requests" in directives
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert headers["x-request-id"]


def test_plain_http_is_redirected_to_https(production_page) -> None:
    assert production_page["plain_status"] == 301
    assert production_page["plain_location"] == "https://docket.example.com/login/"


def test_every_page_gets_the_csp_header_in_development_too(client, legal) -> None:
    """The CSP is the same with DEBUG on, so a page that needs inline script fails in development first."""
    client.force_login(legal)
    for url in (reverse("login"), reverse("home"), "/no-such-page/"):
        response = client.get(url, follow=True)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, url


def test_signed_in_pages_are_not_cached_by_shared_caches(client, legal) -> None:
    client.force_login(legal)
    response = client.get(reverse("home"), follow=True)
    assert "private" in response["Cache-Control"]


def test_healthz_answers_plain_http_for_the_load_balancer(production_page) -> None:
    """Exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT); database, broker and sweep age reported."""
    assert production_page["health_status"] == 200
    health = production_page["health"]
    assert health["checks"]["database"]["ok"] is True
    assert {"database", "broker", "sweep"} <= set(health["checks"])
    assert health["status"] in ("ok", "degraded")  # no sweep has run in this fresh database
    # Probed by the instance's address, as load balancers do: answered; any other page: refused.
    assert production_page["health_by_address"] == 200
    assert production_page["other_by_address"] == 400
