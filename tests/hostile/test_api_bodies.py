"""Hostile bodies against every writeable operation of the API, found in its OpenAPI schema (so an
operation added later is covered without editing this test): each property of each request body is sent
a NUL, a 1 MB string, a lone surrogate, invalid UTF-8, data nested 1,000 levels, instants in years 1 and
9999, a spreadsheet formula and a path-traversal name.

Every answer is below 500; every refusal is a 400 or 413 whose error names the property (or, for a body
the parser refuses whole, says why); a refused request stores nothing."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache as django_cache
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from directives.choices import Priority
from directives.models import IntakeItem, WebhookEndpoint
from directives.services import mailbox
from tests.api.conftest import client_for
from tests.documents.samples import order_eml
from tests.factories import UserFactory, make_directive, make_obligation, make_product, make_task

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch")
MB = "A" * 1_048_576
NESTED = '{"a":' * 1000 + "1" + "}" * 1000
# name -> the value, as JSON text
PAYLOADS: dict[str, str] = {
    "nul": json.dumps("before\x00after"),
    "one_mb": json.dumps(MB),
    "lone_surrogate": '"\\ud800"',
    "nested_1000": NESTED,
    "year_1": json.dumps("0001-01-01T00:00:00Z"),
    "year_9999": json.dumps("9999-12-31T23:59:59Z"),
    "naive_far": json.dumps("9999-12-31T23:59:59"),
    "formula": json.dumps('=HYPERLINK("https://evil.example","x")'),
    "traversal": json.dumps("../../../../etc/passwd"),
    "huge_int": "1" + "0" * 40,
}
# Values no field accepts: refused naming the field. The others are valid text (stored verbatim, shown
# escaped, exported neutralised) and must be refused, naming the field, only by a date-time field.
ALWAYS_REFUSED = {"nul", "one_mb", "lone_surrogate", "nested_1000", "huge_int"}
INSTANTS = {"year_1", "year_9999", "naive_far"}


@cache
def writeable_operations() -> list[tuple[str, str, tuple[tuple[str, bool], ...]]]:
    """(method, path, the JSON body's properties with whether each is a date-time) of every writeable
    operation in the schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    found = []
    for path, item in sorted(schema["paths"].items()):
        for method in WRITES:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            ref = body["schema"].get("$ref", "")
            properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
            props = tuple(
                (name, prop.get("format") == "date-time") for name, prop in sorted(properties.items())
            )
            found.append((method, path, props))
    return found


@pytest.fixture(autouse=True)
def _no_throttle(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}


@pytest.fixture
def world(legal: Any, engineer: Any) -> dict[str, Any]:
    product = make_product("Fable 5")
    directive = make_directive(actor=legal, products=[product])
    obligation = make_obligation(directive, actor=legal)
    task = make_task(directive, actor=legal, assignee=engineer, priority=Priority.P1)
    webhook = WebhookEndpoint.objects.create(name="ops", url="https://hooks.example/ops", secret="x" * 24)
    mailbox.queue_message(order_eml([]), uid="1", mailbox="intake@imap/INBOX", now=directive.received_at)
    return {
        "intake-items": IntakeItem.objects.get().pk,
        "directives": directive.pk,
        "tasks": task.pk,
        "obligations": obligation.pk,
        "products": product.pk,
        "webhooks": webhook.pk,
        "authorities": directive.authority_id,
    }


def _url(path: str, world: dict[str, Any]) -> str:
    parts = path.strip("/").split("/")
    resource = parts[2] if len(parts) > 2 else ""
    if "{id}" in path:
        assert resource in world, f"no record to address {path} with: add one to the world fixture"
        path = path.replace("{id}", str(world[resource]))
    return path


def counts() -> dict[str, int]:
    return {m.__name__: m._default_manager.count() for m in apps.get_app_config("directives").get_models()}


@pytest.mark.parametrize(("method", "path", "props"), writeable_operations())
def test_a_hostile_value_is_refused_naming_its_field_or_stored_verbatim(
    world: dict[str, Any], method: str, path: str, props: tuple[tuple[str, bool], ...]
) -> None:
    client: Client = client_for(UserFactory(username="hostile-staff", is_staff=True, is_superuser=True))
    url = _url(path, world)
    for prop, is_instant in props:
        for payload, value in PAYLOADS.items():
            must_name = payload in ALWAYS_REFUSED or (is_instant and payload in INSTANTS)
            _send_one(client, method, url, prop, payload, value, must_name=must_name)


def _send_one(
    client: Client, method: str, url: str, prop: str, payload: str, value: str, *, must_name: bool
) -> None:
    django_cache.clear()  # the token endpoint keeps its own throttle
    before = counts()
    body = "{" + json.dumps(prop) + ": " + value + "}"
    response = client.generic(
        method.upper(), url, body.encode("utf-8", "surrogatepass"), content_type="application/json"
    )
    where = f"{method.upper()} {url} {prop}={payload}: {response.status_code} {response.content[:300]!r}"
    assert response.status_code < 500, where
    if response.status_code < 400:
        assert not must_name, where
        return
    assert response.status_code in (400, 413, 403, 404, 409, 428), where
    error = response.json()
    if response.status_code == 400 and must_name:
        named = {error.get("field"), *(error.get("errors") or {})}
        assert prop in named or (error.get("field") is None and error["code"] == "parse_error"), where
    assert counts() == before, where


@pytest.mark.parametrize("method, path", [(m, p) for m, p, _ in writeable_operations()])
def test_bodies_the_parser_refuses_whole(world: dict[str, Any], method: str, path: str) -> None:
    client: Client = client_for(UserFactory(username="hostile-staff", is_staff=True, is_superuser=True))
    url = _url(path, world)
    before = counts()
    for raw in (b"[" * 100_000 + b"]" * 100_000, b'{"x": "\xff\xfe"}', b'{"x": NaN}', b"{"):
        response = client.generic(method.upper(), url, raw, content_type="application/json")
        assert response.status_code == 400, (url, raw[:20], response.content[:200])
    assert counts() == before
