"""Every HTML page of the app, from the URL conf, filled in from the demo scenario.

One table for the browser checks that walk every page (390 px layout, axe-core, the CSP, the screenshots).
Each named route outside the admin and the API is either a page here (with how to fill its arguments from
the demo data) or listed in NOT_PAGES with the reason; tests/e2e/test_narrow.py fails when a route is in
neither, so a new page cannot skip the checks. To add a page: one line in PAGES."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from directives.forms.tasks import TASK_ACTION_FORMS


@dataclass(frozen=True)
class Demo:
    """The demo scenario's rows that pages take as arguments."""

    directive: Any
    obligation: Any
    task: Any
    users: dict[str, Any]


Kwargs = Callable[[Demo], dict[str, Any]]


def _none(demo: Demo) -> dict[str, Any]:
    return {}


def _directive(demo: Demo) -> dict[str, Any]:
    return {"pk": demo.directive.pk}


def _authority(demo: Demo) -> dict[str, Any]:
    return {"pk": demo.directive.authority_id}


def _task(demo: Demo) -> dict[str, Any]:
    return {"pk": demo.task.pk}


def _controlled_product(demo: Demo) -> dict[str, Any]:
    from directives.models import Control

    control = Control.objects.filter(active=True, product__directive_links__directive=demo.directive).first()
    return {"pk": control.product_id if control else demo.directive.product_links.first().product_id}


# URL name -> the page's arguments. Every GET page a person opens in the browser.
PAGES: dict[str, Kwargs] = {
    "login": _none,
    "home": _none,
    "legal_desk": _none,
    "directive_list": _none,
    "search": _none,
    "directive_create": _none,
    "intake_inbox": _none,
    "authority_list": _none,
    "authority_edit": _authority,
    "authority_deadlines": _authority,
    "product_list": _none,
    "product_control": _controlled_product,
    "webhook_list": _none,
    "directive_detail": _directive,
    "directive_timeline": _directive,
    "directive_report": _directive,
    "timeline": _none,
    "calendar_settings": _none,
    "settings": _none,
    "inbox": _none,
    "task_list": _none,
    "my_tasks": _none,
    "task_detail": _task,
    "dashboard": _none,
    "dashboard_progress": _none,
    "api_tokens": _none,
    "sign_in_record": _none,
    "sso_no_role": _none,
}

# URL name -> the query string the page is opened with (a page that shows results for a query).
QUERIES: dict[str, str] = {"search": "?q=Fable"}

# URL name -> why it is not a page to check (a form target, a file, a machine's endpoint).
NOT_PAGES: dict[str, str] = {
    "healthz": "JSON for the load balancer",
    "sso_start": "redirects to the identity provider",
    "sso_callback": "the identity provider's return address",
    "sign_out": "POST: signs out",
    "logout": "POST: signs out",
    "directive_from_message": "POST target of the intake page (an uploaded e-mail fills in the form)",
    "intake_item_log": "the intake form filled in from a waiting mailbox message (the demo has none); the "
    "form is the intake page's",
    "intake_item_dismiss": "POST target of the intake mailbox page",
    "directive_preview_due": "htmx fragment of the intake page (the deadline preview)",
    "directive_action": "POST target of the directive page's forms",
    "obligation_action": "POST target of the directive page's obligation forms",
    "directive_report_pdf": "a PDF file",
    "directive_timeline_csv": "a CSV file",
    "calendar_reset": "POST: new calendar feed address",
    "webhook_edit": "the webhooks page with one endpoint's form (the demo has no webhook; "
    "tests/views/test_products_and_webhooks_pages.py opens it)",
    "webhook_delete": "POST target of the webhooks page",
    "closure_add": "POST target of the authority's deadlines page",
    "closure_remove": "POST target of the authority's deadlines page",
    "directive_enforcement": "htmx fragment of the directive page (its enforcement card, refreshed in place)",
    "directive_suspend": "POST target of the directive page's one-click suspension",
    "enforcement_confirm": "POST target of the directive page's enforcement card",
    "lift_approve": "POST target of the directive page's enforcement card",
    "product_control_remove": "POST target of the product's control page",
    "inbox_open": "marks a message read and redirects to its task or directive",
    "inbox_read": "POST: marks a message read",
    "inbox_read_all": "POST: marks every message read",
    "calendar_feed": "an iCalendar file",
    "document_download": "a file download",
    "evidence_download": "a file download",
    **{f"task_{name}": "POST target of the task page's forms" for name in TASK_ACTION_FORMS},
}

# Viewers: the demo users of each role, plus a signed-in person with no role yet (the "no role" pages).
VIEWERS = ("legal", "engineer", "executive", "auditor", "admin", "norole")


def route_names() -> set[str]:
    """The named routes of the app itself (the admin, the API and the API docs are checked elsewhere)."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str | None]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name

    return {
        name
        for route, name in walk(get_resolver().url_patterns, "")
        if name and not route.startswith(("admin/", "api/", "^api/"))
    }


def load() -> Demo:
    """The demo scenario (as `make run` shows it) and one signed-in user without a role."""
    from django.contrib.auth import get_user_model

    from directives.models import Directive, Obligation, RemediationTask
    from directives.services.demo import COMMERCE_REFERENCE, DEMO_USERS, load_demo

    load_demo(now=timezone.now())
    user_model = get_user_model()
    users = {spec.username: user_model.objects.get(username=spec.username) for spec in DEMO_USERS}
    users["norole"] = user_model.objects.create_user(username="norole", password=None)
    directive = Directive.objects.get(reference=COMMERCE_REFERENCE)
    return Demo(
        directive=directive,
        obligation=Obligation.objects.filter(directive=directive).order_by("pk").first(),
        task=RemediationTask.objects.filter(directive=directive).order_by("pk").first(),
        users=users,
    )


def urls(demo: Demo) -> list[tuple[str, str]]:
    """(name, URL) of every page, plus a missing page for the 404 template."""
    return [
        (name, reverse(name, kwargs=kwargs(demo)) + QUERIES.get(name, "")) for name, kwargs in PAGES.items()
    ] + [("not_found", "/no-such-page/")]
