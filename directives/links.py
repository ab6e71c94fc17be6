"""Absolute links to Docket's pages, for messages read outside the browser (e-mails, webhook posts): the
page of a message's task, else of its directive, under ``DOCKET_BASE_URL``."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

LOCAL = "http://127.0.0.1:8000"  # what `make run` serves, when DOCKET_BASE_URL is not set


def base_url_problem(value: str) -> str:
    """Why ``value`` cannot be the base of Docket's links ("" when it can)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "must start with https:// (or http://) and name the host"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "must be the scheme and host only, without a path, query or fragment"
    return ""


def base_url() -> str:
    value = str(getattr(settings, "DOCKET_BASE_URL", "") or "").strip()
    return value.rstrip("/") if value and not base_url_problem(value) else LOCAL


def subject_path(*, task_id: int | None, directive_id: int | None) -> str:
    """The page of a task, else of a directive; "" for neither."""
    if task_id is not None:
        return reverse("task_detail", args=[task_id])
    if directive_id is not None:
        return reverse("directive_detail", args=[directive_id])
    return ""


def subject_link(*, task_id: int | None, directive_id: int | None) -> tuple[str, str]:
    """What a message is about and the absolute URL of its page: ``("task", "https://…/tasks/7/")``;
    ``("", "")`` for neither."""
    path = subject_path(task_id=task_id, directive_id=directive_id)
    if not path:
        return "", ""
    return ("task" if task_id is not None else "directive"), base_url() + path
