"""An administrator connects a product to its kill switch in the browser: from Products to the product's
control page, a signed webhook control set with its URLs, seen on the page and in the products list; the page
fits a 390 px phone and axe finds no serious or critical violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from directives.models import Control
from tests.e2e.conftest import ConsoleLog
from tests.e2e.test_engineer_and_executive import assert_accessible
from tests.e2e.test_engineer_loop import open_as
from tests.e2e.test_narrow import overflow
from tests.factories import make_product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_administrator_sets_a_webhook_control_and_sees_it(
    browser: Any, live_server: Any, console: ConsoleLog, admin_user: Any
) -> None:
    make_product("Fable 5")
    page = open_as(browser, live_server, console, admin_user, width=390)
    page.goto("/products/")
    page.get_by_role("link", name=re.compile(r"^None\s?: the control of Fable 5$")).click()
    expect(page.get_by_role("heading", name="Fable 5: its control")).to_be_visible()
    expect(page.get_by_text("No control: Fable 5's access changes are only recorded.")).to_be_visible()
    assert overflow(page) is None

    page.get_by_label("Connector").select_option("webhook")
    page.get_by_label("Apply URL").fill("ftp://switch.example/apply")
    page.get_by_role("button", name="Save the control").click()
    expect(page.get_by_role("alert")).to_contain_text("A webhook control needs an http(s) url.")
    expect(page.get_by_label("Apply URL")).to_have_value("ftp://switch.example/apply")

    page.get_by_label("Apply URL").fill("https://switch.example/apply")
    page.get_by_label("Status URL").fill("https://switch.example/status")
    page.get_by_role("button", name="Save the control").click()
    expect(page.get_by_text("Fable 5 is connected: Signed webhook.")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Signed webhook")
    expect(facts).to_contain_text("https://switch.example/status")
    assert overflow(page) is None
    assert_accessible(page, "the product's control page")
    assert Control.objects.get(product__name="Fable 5").kind == "webhook"

    page.get_by_role("link", name="All products").click()
    expect(
        page.get_by_role("link", name=re.compile(r"^Signed webhook\s?: the control of Fable 5$"))
    ).to_be_visible()
    assert console.csp_violations == []
