"""The OpenAPI schema and the interactive docs: Swagger UI from drf-spectacular-sidecar (same origin),
its init script loaded from a URL, no inline script or style, so it runs under the app's strict CSP
without any exception for this page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.browser import ConsoleLog


@pytest.mark.django_db
def test_schema_is_openapi_3_with_every_endpoint(client: Client) -> None:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in (
        "/api/v1/authorities/",
        "/api/v1/products/{id}/access/",
        "/api/v1/directives/{id}/transition/",
        "/api/v1/directives/{id}/timeline/",
        "/api/v1/directives/{id}/verify/",
        "/api/v1/obligations/{id}/met/",
        "/api/v1/tasks/{id}/resolve/",
        "/api/v1/tasks/{id}/verify/",
        "/api/v1/tasks/{id}/reassign/",
        "/api/v1/escalations/",
        "/api/v1/notifications/",
        "/api/v1/webhooks/",
        "/api/v1/dashboard/",
        "/api/v1/me/",
        "/api/v1/auth/token/",
    ):
        assert path in paths, path
    # Request and response components are split; every operation documents its errors.
    assert "DirectiveInputRequest" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "401", "403", "404", "409", "429"):
                assert code in operation["responses"], (method, path, code)


@pytest.mark.django_db
def test_docs_page_has_no_inline_code_and_no_cdn(client: Client) -> None:
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html, "inline style"
    assert "http://" not in html and "https://" not in html, "assets from another origin"
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = re.search(r'<script src="([^"]*script=[^"]*)"', html)
    assert script, html
    init = client.get(script.group(1).replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in init.content.decode()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_swagger_ui_renders_under_the_csp(page: Any, live_server: Any, console: ConsoleLog) -> None:
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "Docket API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 30
    assert console.csp_violations == [], console.messages


def test_schema_generates_without_warnings_and_validates(tmp_path: Any) -> None:
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3")
