"""Every action a person can take in the browser exists in the API, and every write of the API exists in the
browser: the table below says which is which, and the tests fail when either side gains an action the table
does not place, or when the table names one that no longer exists.

The UI's actions are found, not listed: every route outside the admin and the API that does not answer a
POST with 405 (routes whose last part names the action are expanded from their view's table). The API's are
the POST, PUT, PATCH and DELETE operations of the OpenAPI schema, by operation id.

To add an action: one line in UI_TO_API (the page's action and the API operation doing the same through the
same service), or, when one side really has no counterpart, one line in UI_ONLY / API_ONLY saying why, or in
PAGE_ACTIONS_WITHOUT_API / API_WRITES_WITHOUT_PAGE (what is missing, plainly: work left)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from directives.views.directive_page import OBLIGATION_ACTIONS
from directives.views.directives import ACTIONS as DIRECTIVE_ACTIONS

pytestmark = pytest.mark.django_db

# The page's action -> the API operation that does the same.
UI_TO_API: dict[str, str] = {
    "directive_create": "directives_create",
    "directive_action:record": "directives_timeline_create",
    "directive_action:status": "directives_transition_create",
    "directive_action:access": "products_access_create",
    "directive_action:statement": "directives_statement_create",
    "directive_action:correction": "directives_corrections_create",
    "directive_action:task": "tasks_create",
    "directive_action:obligation": "obligations_create",
    "directive_action:product": "directives_products_create",
    "directive_action:amend": "directives_partial_update",
    "directive_action:link": "directives_links_create",
    "directive_action:unlink": "directives_links_destroy",
    "directive_suspend": "directives_suspend_create",
    "enforcement_confirm": "enforcements_confirm_create",
    "lift_approve": "lift_requests_approve_create",
    "authority_list": "authorities_create",
    "authority_edit": "authorities_partial_update",
    "intake_item_dismiss": "intake_items_dismiss_create",
    "obligation_action:met": "obligations_met_create",
    "obligation_action:waive": "obligations_waive_create",
    "obligation_action:convention": "obligations_convention_create",
    "obligation_action:recompute": "obligations_recompute_create",
    "authority_deadlines": "authorities_convention_create",
    "closure_add": "authorities_closure_days_create",
    "closure_remove": "authorities_closure_days_destroy",
    "task_edit": "tasks_partial_update",
    "task_status": "tasks_status_create",
    "task_comment": "tasks_comment_create",
    "task_resolve": "tasks_resolve_create",
    "task_verify": "tasks_verify_create",
    "task_reassign": "tasks_reassign_create",
    "task_due": "tasks_due_create",
    "task_evidence": "tasks_evidence_create",
    "api_tokens": "auth_token_create",
    "settings": "me_preferences_partial_update",
    "inbox_read": "inbox_read_create",
    "inbox_read_all": "inbox_read_all_create",
    "calendar_reset": "me_calendar_feed_create",
    "intake_item_log": "intake_items_log_create",
    "product_list": "products_create",
    "product_control": "products_control_update",
    "product_control_remove": "products_control_destroy",
    "webhook_list": "webhooks_create",
    "webhook_edit": "webhooks_partial_update",
    "webhook_delete": "webhooks_destroy",
}

# Browser-only, by design.
UI_ONLY: dict[str, str] = {
    "login": "a browser session; the API signs in with a token (auth/token/)",
    "sign_out": "ends the browser session",
    "logout": "ends the browser session",
    "home": "answers any method with a redirect to the person's page; writes nothing",
    "directive_from_message": "reads an uploaded e-mail to fill in the intake form; writes nothing (the "
    "directive is logged by the intake's own POST)",
    "directive_preview_due": "the intake's live deadline preview; writes nothing (the API computes the "
    "deadline when the obligation is posted)",
}

# API-only, by design.
API_ONLY: dict[str, str] = {}

# Missing on one side: work left, said plainly. Move a line to UI_TO_API when its counterpart lands.
# Empty: the pages and the API do the same things.
PAGE_ACTIONS_WITHOUT_API: dict[str, str] = {}
API_WRITES_WITHOUT_PAGE: dict[str, str] = {}

# Routes whose last part names the action: each name is an action of its own.
NAMED_ACTIONS: dict[str, list[str]] = {
    "directive_action": list(DIRECTIVE_ACTIONS),
    "obligation_action": [name for name, _label, _form in OBLIGATION_ACTIONS],
}
WRITES = ("post", "put", "patch", "delete")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def ui_actions(client: Any, user: Any) -> set[str]:
    """Every route of the pages that accepts a POST (an empty one: nothing valid is written)."""
    found: set[str] = set()
    for route, pattern in _routes(get_resolver().url_patterns):
        name = pattern.name
        if not name or route.startswith(("admin/", "api/", "^api/")) or name in found:
            continue
        if name in NAMED_ACTIONS:
            found |= {f"{name}:{action}" for action in NAMED_ACTIONS[name]}
            continue
        kwargs = {
            key: 999_999 if type(converter).__name__ == "IntConverter" else "x"
            for key, converter in pattern.pattern.converters.items()
        }
        client.force_login(user)  # a sign-out route ends the session
        if client.post(reverse(name, kwargs=kwargs), {}).status_code != 405:
            found.add(name)
    return found


def api_writes() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        operation["operationId"]
        for operations in schema["paths"].values()
        for method, operation in operations.items()
        if method in WRITES
    }


def test_every_action_of_the_pages_has_its_place(client: Any, admin_user: Any) -> None:
    found = ui_actions(client, admin_user)
    placed = set(UI_TO_API) | set(UI_ONLY) | set(PAGE_ACTIONS_WITHOUT_API)
    assert not found - placed, (
        f"Page actions the table does not place: {sorted(found - placed)}. Map each to its API operation in "
        "tests/test_action_parity.py UI_TO_API (or UI_ONLY / PAGE_ACTIONS_WITHOUT_API with the reason)."
    )
    assert not placed - found, f"The table names page actions that no longer exist: {sorted(placed - found)}"


def test_every_write_of_the_api_has_its_place() -> None:
    operations = api_writes()
    placed = set(UI_TO_API.values()) | set(API_ONLY) | set(API_WRITES_WITHOUT_PAGE)
    assert not operations - placed, (
        f"API writes the table does not place: {sorted(operations - placed)}. Map the page action that does "
        "the same to it in tests/test_action_parity.py UI_TO_API (or API_ONLY / API_WRITES_WITHOUT_PAGE with the reason)."
    )
    stale = placed - operations
    assert not stale, f"The table names API operations that no longer exist: {sorted(stale)}"


def test_there_is_no_gap() -> None:
    """Full parity: no page action lacks its API operation and no API write lacks its page."""
    assert not PAGE_ACTIONS_WITHOUT_API, sorted(PAGE_ACTIONS_WITHOUT_API)
    assert not API_WRITES_WITHOUT_PAGE, sorted(API_WRITES_WITHOUT_PAGE)


def test_a_gap_is_listed_once() -> None:
    """A gap closed on one side moves to UI_TO_API rather than staying in the list of work."""
    assert not set(PAGE_ACTIONS_WITHOUT_API) & set(UI_TO_API)
    assert not set(API_WRITES_WITHOUT_PAGE) & set(UI_TO_API.values())
