"""Hostile input in every text field of the forms and the API: script tags, SQL fragments, 100,000
characters, control characters, NUL and right-to-left text. Each is stored verbatim or refused clearly
(a form error or a 400 with a message), rendered escaped, and never a 500.

The forms are found by reading the pages as a browser would (every <form method=post> on the directive,
task, intake and calendar pages), so a text field added later is covered without editing this test."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import reverse

from directives.choices import Priority
from directives.models import Authority, Directive, Obligation, Product, RemediationTask, TimelineEntry

from ..factories import make_directive, make_obligation, make_product, make_task

SCRIPT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
PAYLOADS = {
    "script": SCRIPT,
    "sql": "x'; DROP TABLE directives_directive; -- \" OR 1=1 /*",
    "control": "bell\x07 esc\x1b[31m del\x7f vt\x0b end",
    "rtl": "\u202eevil.exe\u202c \u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd",
    "nul": "before\x00after",
    "huge": "A" * 100_000,
}
RAW_MARKERS = ("<script>window.__pwned", 'onerror="window.__pwned')
ESCAPED_MARKER = "&lt;script&gt;window.__pwned=1&lt;/script&gt;"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


@pytest.fixture
def world(legal, engineer, now):
    product = make_product("Fable 5")
    directive = make_directive(actor=legal, products=[product])
    obligation = make_obligation(directive, actor=legal)  # its met / waive forms are on the page too
    task = make_task(directive, actor=legal, assignee=engineer, priority=Priority.P1)
    return {"directive": directive, "task": task, "product": product, "obligation": obligation}


# --- reading forms out of pages ------------------------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post" and a.get("enctype") != "x-skip":
                self._form = {
                    "action": a.get("action", ""),
                    "fields": [],
                    "multipart": "multipart" in a.get("enctype", ""),
                }
                self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None and value:
                self._select["first"] = value
            if "selected" in a:
                self._select["value"] = value
            return
        if self._form is None or "name" not in a or "disabled" in a:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            self._form["fields"].append({"name": a["name"], "type": kind, "value": a.get("value", "")})
        elif tag == "textarea":
            self._textarea = {"name": a["name"], "type": "textarea", "value": ""}
            self._form["fields"].append(self._textarea)
        elif tag == "select":
            self._select = {
                "name": a["name"],
                "type": "select",
                "value": None,
                "first": None,
                "multiple": "multiple" in a,
            }
            self._form["fields"].append(self._select)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if self._select["value"] is None:
                self._select["value"] = self._select["first"] or ""
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if "/logout/" not in f["action"]]


TEXT_TYPES = ("text", "textarea", "search", "url", "email")


def _text_fields(form: dict[str, Any]) -> list[str]:
    return [
        f["name"] for f in form["fields"] if f["type"] in TEXT_TYPES and f["name"] != "csrfmiddlewaretoken"
    ]


def _data(form: dict[str, Any], field: str, payload: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in form["fields"]:
        value = payload if f["name"] == field else f["value"]
        data.setdefault(f["name"], []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in data.items()}


def assert_escaped(html: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"unescaped hostile input on {where}"


def _fuzz_page(client, page_url: str) -> dict[str, int]:
    """Submit every text field of every POST form on ``page_url`` with every payload; returns the
    count of submissions by status."""
    seen: dict[str, int] = {}
    first = client.get(page_url)
    assert first.status_code == 200, page_url
    shapes = [
        (form["action"] or page_url, field)
        for form in post_forms(first.content.decode())
        for field in _text_fields(form)
    ]
    assert shapes, f"no text fields found on {page_url}"
    for action_url, field in shapes:
        for name, payload in PAYLOADS.items():
            page = client.get(page_url)  # fresh versions and choices for every submission
            forms = [f for f in post_forms(page.content.decode()) if (f["action"] or page_url) == action_url]
            if not forms or field not in _text_fields(forms[0]):
                continue  # the form is no longer offered (e.g. the task was resolved meanwhile)
            form = forms[0]
            action = form["action"] or page_url
            response = client.post(action, _data(form, field, payload), HTTP_HX_REQUEST="true")
            where = f"{action} field {field!r} payload {name}"
            assert response.status_code < 500, where
            seen[str(response.status_code)] = seen.get(str(response.status_code), 0) + 1
            if response.status_code in (400, 422) or (
                name in ("nul", "huge") and response.status_code == 200
            ):
                # Refused or re-rendered: the page must say why, not just swallow it.
                body = response.content.decode()
                if response.status_code in (400, 422):
                    assert body.strip(), where
            if response.status_code == 200:
                assert_escaped(response.content.decode(), where)
    return seen


def test_every_form_on_the_directive_page_survives_hostile_input(client, legal, world) -> None:
    client.force_login(legal)
    seen = _fuzz_page(client, reverse("directive_detail", args=[world["directive"].pk]))
    assert seen
    # A recorded action with a script tag was stored verbatim and is shown escaped on the timeline.
    assert TimelineEntry.objects.filter(directive=world["directive"], summary=SCRIPT).exists()
    assert TimelineEntry.objects.filter(directive=world["directive"], summary=PAYLOADS["rtl"]).exists()
    assert (
        not TimelineEntry.objects.filter(summary__contains="before")
        .filter(summary__contains="after")
        .exists()
    )
    page = client.get(reverse("directive_detail", args=[world["directive"].pk])).content.decode()
    assert_escaped(page, "directive page")
    assert ESCAPED_MARKER in page


def test_every_form_on_the_task_page_survives_hostile_input(client, legal, world) -> None:
    client.force_login(legal)
    seen = _fuzz_page(client, reverse("task_detail", args=[world["task"].pk]))
    assert seen
    assert TimelineEntry.objects.filter(task=world["task"], summary=SCRIPT).exists()  # the comment
    page = client.get(reverse("task_detail", args=[world["task"].pk])).content.decode()
    assert_escaped(page, "task page")
    assert ESCAPED_MARKER in page


def test_the_intake_form_survives_hostile_input(client, legal, world) -> None:
    client.force_login(legal)
    seen = _fuzz_page(client, reverse("directive_create"))
    assert seen


def test_other_forms_survive_hostile_input(client, legal, world) -> None:
    client.force_login(legal)
    for name in ("calendar_settings",):
        page = client.get(reverse(name))
        if post_forms(page.content.decode()) and any(
            _text_fields(f) for f in post_forms(page.content.decode())
        ):
            _fuzz_page(client, reverse(name))
    client.logout()
    _fuzz_page(client, reverse("login"))


def test_the_pages_that_keep_reference_data_survive_hostile_input(client, legal, admin_user, world) -> None:
    """Legal's products and an authority's counting convention and closure days; an administrator's
    webhook subscriptions and a product's access control."""
    client.force_login(legal)
    authority = world["directive"].authority
    assert _fuzz_page(client, reverse("product_list"))
    assert _fuzz_page(client, reverse("authority_deadlines", args=[authority.pk]))
    client.force_login(admin_user)
    assert _fuzz_page(client, reverse("webhook_list"))
    product = world["directive"].products.order_by("pk").first()
    assert _fuzz_page(client, reverse("product_control", args=[product.pk]))


# --- the API ---------------------------------------------------------------------------------------


def _api_cases(world: dict[str, Any], now: dt.datetime) -> list[tuple[str, str, dict[str, Any], str, Any]]:
    """(label, url, body without the field, field, model to read back)"""
    d, t = world["directive"], world["task"]
    received = (now - dt.timedelta(hours=1)).isoformat()
    authority = {"name": "n", "jurisdiction": "US", "time_zone": "America/New_York"}
    product = {"name": "p"}
    directive = {
        "authority": d.authority_id,
        "reference": "r",
        "title": "t",
        "kind": "export_control",
        "received_at": received,
    }
    obligation = {"directive": d.pk, "title": "o", "deadline_rule": "hours", "deadline_amount": 24}
    task = {"directive": d.pk, "title": "t"}
    timeline = {"kind": "comment", "summary": "s", "occurred_at": now.isoformat()}
    cases: list[tuple[str, str, dict[str, Any], str, Any]] = [
        (f"authority.{f}", "/api/v1/authorities/", authority, f, Authority)
        for f in ("name", "short_name", "jurisdiction")
    ]
    cases += [
        (f"product.{f}", "/api/v1/products/", product, f, Product)
        for f in ("name", "description", "owner_team")
    ]
    cases += [
        (f"directive.{f}", "/api/v1/directives/", directive, f, Directive)
        for f in ("reference", "title", "summary", "full_text")
    ]
    cases += [
        (f"obligation.{f}", "/api/v1/obligations/", obligation, f, Obligation)
        for f in ("title", "description")
    ]
    cases += [(f"task.{f}", "/api/v1/tasks/", task, f, RemediationTask) for f in ("title", "description")]
    cases += [
        ("timeline.summary", f"/api/v1/directives/{d.pk}/timeline/", timeline, "summary", TimelineEntry)
    ]
    cases += [
        ("task.status.note", f"/api/v1/tasks/{t.pk}/status/", {"to_status": "in_progress"}, "note", None)
    ]
    return cases


def test_every_text_field_of_the_api_stores_verbatim_or_refuses_clearly(client, legal, world, now) -> None:
    client.force_login(legal)
    outcomes: dict[str, dict[str, int]] = {}
    for n, (label, url, base, field, model) in enumerate(_api_cases(world, now)):
        for name, payload in PAYLOADS.items():
            body = {**base, field: payload}
            # Other unique fields get a suffix so that each payload makes a new record.
            for unique in ("name", "reference"):
                if unique in body and unique != field:
                    body[unique] = f"{body[unique]}-{n}-{name}"
            if label == "task.status.note":
                task = RemediationTask.objects.get(pk=world["task"].pk)
                body["to_status"] = "blocked" if task.status == "in_progress" else "in_progress"
                body["version"] = task.version
            response = client.post(url, body, content_type="application/json")
            where = f"{label} with {name}"
            assert response.status_code < 500, where
            outcomes.setdefault(label, {})[name] = response.status_code
            if response.status_code == 400:
                error = response.json()
                assert error["detail"] and error["code"], where
                if name == "nul":
                    assert "null" in error["detail"].lower() or "nul" in error["detail"].lower(), where
                continue
            assert response.status_code in (200, 201), (where, response.content[:300])
            assert name != "nul", f"{where}: a NUL character cannot be stored and must be refused"
            if model is not None:
                created = response.json()
                stored = model.objects.get(pk=created["id"])
                assert getattr(stored, field) == payload, f"{where}: not stored verbatim"
                assert created[field] == payload, f"{where}: not returned verbatim"
    # Ordinary hostile text is accepted in free-text fields: refusing a lawyer's text is a bug too.
    for label in ("directive.title", "directive.summary", "task.description", "timeline.summary"):
        for name in ("script", "sql", "rtl", "control"):
            assert outcomes[label][name] in (200, 201), (label, name, outcomes[label])
        assert outcomes[label]["nul"] == 400
    assert outcomes["directive.full_text"]["huge"] == 201  # a long order's full text fits
    assert outcomes["directive.title"]["huge"] == 400


def test_hostile_text_from_the_api_renders_escaped_on_every_page(client, legal, auditor, world, now) -> None:
    client.force_login(legal)
    d = world["directive"]
    created = client.post(
        "/api/v1/directives/",
        {
            "authority": d.authority_id,
            "reference": "XSS-1",
            "title": SCRIPT,
            "kind": "export_control",
            "summary": SCRIPT,
            "received_at": now.isoformat(),
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    task = client.post(
        "/api/v1/tasks/",
        {"directive": pk, "title": SCRIPT, "description": SCRIPT},
        content_type="application/json",
    )
    assert task.status_code == 201
    client.post(
        f"/api/v1/directives/{pk}/timeline/",
        {"kind": "comment", "summary": SCRIPT, "occurred_at": now.isoformat()},
        content_type="application/json",
    )
    client.force_login(auditor)
    pages = [
        reverse("directive_list"),
        reverse("directive_detail", args=[pk]),
        reverse("task_list"),
        reverse("task_detail", args=[task.json()["id"]]),
        reverse("timeline"),
        reverse("directive_timeline", args=[pk]),
        reverse("directive_report", args=[pk]),
        reverse("dashboard"),
        reverse("directive_list") + "?q=%3Cscript%3E",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.content.decode(), url)
    detail = client.get(reverse("directive_detail", args=[pk])).content.decode()
    assert ESCAPED_MARKER in detail
    csv = client.get(reverse("directive_timeline_csv", args=[pk]))
    assert csv.status_code == 200
    api = client.get(f"/api/v1/directives/{pk}/")
    assert api.json()["title"] == SCRIPT and api["Content-Type"] == "application/json"
