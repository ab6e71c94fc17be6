"""The home page sends each role to its own page; friendly error pages, and the 503 answered while the
database is unavailable."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, path, reverse

from compliance.middleware import DATABASE_UNAVAILABLE, database_unavailable

from ..choices import Role
from ..permissions import roles_of


def _first_url(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Legal -> the legal desk; engineers -> my tasks; executives and auditors -> the dashboard."""
    held = roles_of(request.user)
    if Role.LEGAL in held or request.user.is_staff:
        target = _first_url("legal_desk", "directive_list")
    elif Role.ENGINEERING in held:
        target = _first_url("my_tasks", "directive_list")
    elif Role.EXECUTIVE in held or Role.AUDITOR in held:
        target = _first_url("dashboard", "directive_list")
    else:
        target = None
    if target:
        return HttpResponseRedirect(target)
    # A user with no role yet: say so instead of sending them round in circles.
    return render(request, "home.html", {"roles": sorted(r.value for r in held)})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": message}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: a database outage met outside a view (a middleware
    # saving the session, an error page reading the user) is a 503 as well.
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_UNAVAILABLE):
        return database_unavailable(request, exc)
    # No context processors: the database may be what failed.
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


urlpatterns = [
    path("", home, name="home"),
]
