"""Base layout, login/logout, the per-role home, error pages and the shared time filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_renders_with_csp_and_no_inline_script(client: Any) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Log in to Docket" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in html and " style=" not in html
    assert '"includeIndicatorStyles": false' in html


def test_login_with_password_sends_legal_to_home_then_directives(client: Any, legal: Any) -> None:
    response = client.post(reverse("login"), {"username": "legal-test", "password": "pw-for-tests-only"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 302


def test_wrong_password_says_so(client: Any, legal: Any) -> None:
    response = client.post(reverse("login"), {"username": "legal-test", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logout_is_post_only(client: Any, legal: Any) -> None:
    client.force_login(legal)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # back to login


def test_anonymous_home_goes_to_login(client: Any) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _target(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse(fallback)


def test_home_per_role(client: Any, legal: Any, engineer: Any, executive: Any, auditor: Any) -> None:
    for user, expected in [
        (legal, reverse("legal_desk")),
        (engineer, _target("my_tasks", "directive_list")),
        (executive, _target("dashboard", "directive_list")),
        (auditor, _target("dashboard", "directive_list")),
    ]:
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 302, user
        assert response["Location"] == expected, user


def test_user_without_role_sees_an_explanation(client: Any) -> None:
    client.force_login(UserFactory(username="nobody"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "no role yet" in response.content.decode()


def test_navigation_per_role(client: Any, legal: Any, engineer: Any) -> None:
    client.force_login(legal)
    html = client.get(reverse("directive_list")).content.decode()
    assert "Log an order" in html and "Log out" in html and 'href="#main"' in html
    client.force_login(engineer)
    html = client.get(reverse("directive_list")).content.decode()
    assert "Log an order" not in html


def test_friendly_404(client: Any, legal: Any, settings: Any) -> None:
    settings.DEBUG = False
    client.force_login(legal)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_friendly_500_template_renders_without_context() -> None:
    from directives.views.home import server_error

    response = server_error(None)  # type: ignore[arg-type]
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_legal_time_filters() -> None:
    fall_back_second = dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)  # 01:30 EST, the second 01:30
    friday = dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)
    now = dt.datetime(2026, 11, 28, 0, 21, tzinfo=dt.UTC)
    out = Template(
        "{% load docket %}{{ a|legal_time:'America/New_York' }}|{{ b|legal_time:'America/New_York' }}|"
        "{{ b|utc }}|{{ b|relative:now }}|{{ later|relative:now }}"
    ).render(Context({"a": fall_back_second, "b": friday, "now": now, "later": now + dt.timedelta(days=3)}))
    assert out == (
        "2026-11-01T01:30-05:00 EST|2026-11-27T17:21-05:00 EST|2026-11-27T22:21Z|2 h overdue|due in 3 d"
    )


def test_no_template_has_inline_script_style_or_event_handler() -> None:
    """The CSP is script-src 'self'; style-src 'self': anything inline would be blocked in the browser."""
    import re
    from pathlib import Path

    from django.conf import settings

    inline = re.compile(
        r"""<script(?![^>]*\bsrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=\s*["']|\shx-on[:-]|javascript:""",
        re.IGNORECASE,
    )
    offenders = []
    folders: list[Any] = list(settings.TEMPLATES[0]["DIRS"])  # type: ignore[call-overload]
    for folder in folders:
        for path in Path(folder).rglob("*.html"):
            text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", path.read_text(), flags=re.S)
            text = re.sub(r"{#.*?#}", "", text)
            for match in inline.finditer(text):
                offenders.append(f"{path.name}: {match.group(0)!r}")
    assert offenders == []
