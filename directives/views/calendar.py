"""iCalendar feed of deadlines, per user, at a secret URL that calendar apps can poll without logging in,
and the page that gives (or replaces) that URL.

The feed holds the open (or missed) obligations of directives still active, and the user's own active
remediation tasks that have a due instant (``selectors.calendar``, built by ``exports.ical``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from .. import instants
from ..exports.ical import deadlines_calendar
from ..models import CalendarFeedToken
from ..selectors.calendar import deadlines_of
from ..services import calendar as calendar_services
from .common import answers_domain_errors, now, require_view


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
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
    feed = CalendarFeedToken.objects.filter(user_id=int(request.user.pk or 0)).first()
    url = request.build_absolute_uri(reverse("calendar_feed", args=[feed.token])) if feed else ""
    return render(
        request,
        "directives/calendar.html",
        {"feed": feed, "feed_url": url, "zone": instants.company_zone().key, "now": now()},
    )


@login_required
@answers_domain_errors
@require_POST
def calendar_reset_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    _feed, created = calendar_services.renew_feed_token(user=request.user)
    messages.success(
        request,
        "Your calendar URL is ready."
        if created
        else "A new calendar URL was made; the old one no longer works.",
    )
    return HttpResponseRedirect(reverse("calendar_settings"))


urlpatterns = [
    path("calendar/", calendar_settings_view, name="calendar_settings"),
    path("calendar/reset/", calendar_reset_view, name="calendar_reset"),
    path("calendar/<str:token>.ics", calendar_feed_view, name="calendar_feed"),
]
