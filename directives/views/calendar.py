"""iCalendar feed of deadlines, per user, at a secret URL that calendar apps can poll without logging in,
and the page that gives (or replaces) that URL.

The feed holds the open (or missed) obligations of directives still active, and the user's own active
remediation tasks that have a due instant (``selectors.calendar``, built by ``exports.ical``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from .. import instants
from ..exports.ical import deadlines_calendar
from ..models import CalendarFeedToken
from ..selectors.calendar import deadlines_of, feed_of
from ..services import calendar as calendar_services
from .common import answers_domain_errors, now, require_view


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    feed = feed_of(token)
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    when = now()
    CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=when)
    base_url = request.build_absolute_uri("/").rstrip("/")
    body = deadlines_calendar(
        deadlines_of(feed.user),
        now=when,
        directive_url=lambda pk: base_url + reverse("directive_detail", args=[pk]),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="docket-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@answers_domain_errors
@require_GET
def calendar_settings_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    return _settings_page(request)


def _settings_page(request: HttpRequest, token: str = "") -> HttpResponse:
    """The page; with ``token`` (just made) the feed URL, shown this once: only its hash is kept."""
    feed = CalendarFeedToken.objects.filter(user_id=int(request.user.pk or 0)).first()
    url = request.build_absolute_uri(reverse("calendar_feed", args=[token])) if token else ""
    response = render(
        request,
        "directives/calendar.html",
        {"feed": feed, "feed_url": url, "zone": instants.company_zone().key, "now": now()},
    )
    if token:
        response["Cache-Control"] = "no-store"  # the URL is a credential: not kept by the browser's cache
    return response


@login_required
@answers_domain_errors
@require_POST
def calendar_reset_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    token, created = calendar_services.renew_feed_token(user=request.user, now=now())
    messages.success(
        request,
        "Your calendar URL is ready: copy it now, it is shown only this once."
        if created
        else "A new calendar URL was made (shown only this once); the old one no longer works.",
    )
    return _settings_page(request, token)


urlpatterns = [
    path("calendar/", calendar_settings_view, name="calendar_settings"),
    path("calendar/reset/", calendar_reset_view, name="calendar_reset"),
    path("calendar/<str:token>.ics", calendar_feed_view, name="calendar_feed"),
]
