"""Deployment checks of Docket's own settings, run by ``manage.py check --deploy`` (``make check-deploy``)
next to Django's. Errors stop a deploy; warnings too, since check-deploy runs with --fail-level WARNING."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, Tags, Warning, register

S3_BACKEND = "storages.backends.s3.S3Storage"


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


@register(Tags.security, deploy=True)
def checkpoint_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    key = str(getattr(settings, "DOCKET_CHECKPOINT_KEY", "") or "")
    if not key:
        return [
            Warning(
                "DOCKET_CHECKPOINT_KEY is not set: timeline checkpoints cannot be signed or verified.",
                hint="Generate one (python -c 'import secrets; print(secrets.token_urlsafe(48))') and keep it "
                "outside the database and its backups.",
                id="docket.W001",
            )
        ]
    if len(key) < 32 or key.startswith("dev-only"):
        return [Warning("DOCKET_CHECKPOINT_KEY is short or a development key.", id="docket.W002")]
    if key == settings.SECRET_KEY:
        return [
            Warning(
                "DOCKET_CHECKPOINT_KEY equals DJANGO_SECRET_KEY; use a separate key that can be rotated alone.",
                id="docket.W003",
            )
        ]
    return []


@register(Tags.security)
def uploads_are_not_static(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Evidence must never be reachable by a static route."""
    errors: list[CheckMessage] = []
    media = Path(settings.MEDIA_ROOT)
    static_dirs = [Path(str(d[1] if isinstance(d, tuple) else d)) for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        static_dirs.append(Path(settings.STATIC_ROOT))
    for folder in static_dirs:
        if _inside(media, folder) or _inside(folder, media):
            errors.append(
                Error(
                    f"MEDIA_ROOT ({media}) overlaps the static folder {folder}: evidence would be public.",
                    hint="Set DOCKET_MEDIA_ROOT to a folder outside static files.",
                    id="docket.E010",
                )
            )
    return errors


@register(Tags.security)
def file_storage(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    backend = settings.STORAGES["default"]["BACKEND"]
    options = settings.STORAGES["default"].get("OPTIONS", {})
    if backend != S3_BACKEND:
        return []
    errors: list[CheckMessage] = []
    if not options.get("bucket_name"):
        errors.append(Error("DOCKET_FILE_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.", id="docket.E011"))
    if options.get("default_acl") not in (None, "private"):
        errors.append(Error("Evidence must not be stored with a public ACL.", id="docket.E012"))
    if importlib.util.find_spec("boto3") is None:
        errors.append(
            Error(
                "DOCKET_FILE_STORAGE=s3 needs boto3, which is not installed.",
                hint="pip install boto3 (pinned, see docs/security.md).",
                id="docket.E013",
            )
        )
    return errors


def _base_url() -> str:
    return str(getattr(settings, "DOCKET_BASE_URL", "") or "").strip()


@register(Tags.security)
def base_url_is_a_url(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The links in e-mails and webhook messages are built on DOCKET_BASE_URL."""
    from directives.links import base_url_problem

    value = _base_url()
    if value and base_url_problem(value):
        return [Error(f"DOCKET_BASE_URL {base_url_problem(value)}.", id="docket.E014")]
    return []


@register(Tags.security, deploy=True)
def base_url_is_set(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from directives.links import LOCAL

    value = _base_url()
    if not value:
        return [
            Warning(
                f"DOCKET_BASE_URL is not set: links in e-mails and webhook messages point at {LOCAL}.",
                hint="Set it to where people reach Docket, e.g. https://docket.example.com.",
                id="docket.W004",
            )
        ]
    if value.startswith("http://"):
        return [
            Warning("DOCKET_BASE_URL is plain http: links in messages are not encrypted.", id="docket.W005")
        ]
    return []


@register(Tags.security, deploy=True)
def runtime_database_role(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The role the application connects as must not be able to change the legal record (PostgreSQL)."""
    from django.db import DatabaseError, connection

    from .db_roles import runtime_role_problems

    if connection.vendor != "postgresql":
        return [
            Info(
                f"Database role separation is not checked on {connection.vendor}: only PostgreSQL has roles.",
                id="docket.I030",
            )
        ]
    try:
        problems = runtime_role_problems(connection)
    except DatabaseError as exc:
        return [Error(f"Cannot check the runtime database role: {exc}".strip(), id="docket.E031")]
    hint = "Connect as the runtime role; see docs/operations.md (Database roles) and `manage.py db_roles`."
    return [Error(problem, hint=hint, id="docket.E030") for problem in problems]
