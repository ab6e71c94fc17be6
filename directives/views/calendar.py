"""iCalendar feed of deadlines, per user, at a secret URL that calendar apps can poll without logging in.

The feed holds the open (or missed) obligations of directives still active, and the user's own active
remediation tasks that have a due instant. Each event starts at the due instant (in UTC, so every
calendar app shows it in its own zone correctly); the description repeats it in the authority's zone.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from icalendar import Alarm, Calendar, Event

from .. import instants
from ..choices import ObligationStatus
from ..models import CalendarFeedToken, Obligation, RemediationTask
from ..models.calendar import new_feed_token
from ..permissions import Action, can
from ..states import DIRECTIVE_ACTIVE, TASK_ACTIVE
from .legal import answers_domain_errors, require_view

EVENT_LENGTH = dt.timedelta(minutes=15)


def build_feed(user: object, *, now: dt.datetime, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Docket//Regulatory deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Docket deadlines")
    obligations = Obligation.objects.none()
    if can(user, Action.VIEW):  # type: ignore[arg-type]
        obligations = (
            Obligation.objects.filter(
                status__in=[ObligationStatus.OPEN, ObligationStatus.MISSED],
                directive__status__in=[s.value for s in DIRECTIVE_ACTIVE],
            )
            .select_related("directive", "directive__authority")
            .order_by("due_at", "pk")
        )
    for ob in obligations:
        zone = ob.directive.authority.time_zone
        event = Event()
        event.add("uid", f"obligation-{ob.pk}@docket")
        event.add("dtstamp", now)
        event.add("dtstart", ob.due_at.astimezone(dt.UTC))
        event.add("dtend", ob.due_at.astimezone(dt.UTC) + EVENT_LENGTH)
        event.add("summary", f"Due: {ob.title} ({ob.directive.reference})")
        event.add(
            "description",
            f"{ob.directive.authority}: {ob.directive.title}\nObligation: {ob.title} ({ob.due_rule_text})\n"
            f"Due {instants.iso_local(ob.due_at, zone)} / {instants.iso_utc(ob.due_at)}\n"
            f"Status: {ob.get_status_display()}",
        )
        event.add("url", base_url + reverse("directive_detail", args=[ob.directive_id]))
        event.add("categories", ["Obligation"])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Due in 1 hour: {ob.title}")
        alarm.add("trigger", -dt.timedelta(hours=1))
        event.add_component(alarm)
        cal.add_component(event)
    tasks = (
        RemediationTask.objects.filter(
            assignee=user, status__in=[s.value for s in TASK_ACTIVE], due_at__isnull=False
        )  # type: ignore[misc]
        .select_related("directive", "directive__authority")
        .order_by("due_at", "pk")
    )
    for task in tasks:
        if task.due_at is None:  # excluded by the query; keeps the type checker sure
            continue
        zone = task.directive.authority.time_zone
        event = Event()
        event.add("uid", f"task-{task.pk}@docket")
        event.add("dtstamp", now)
        event.add("dtstart", task.due_at.astimezone(dt.UTC))
        event.add("dtend", task.due_at.astimezone(dt.UTC) + EVENT_LENGTH)
        event.add("summary", f"Task due ({task.priority}): {task.title}")
        event.add(
            "description",
            f"{task.directive.reference}: {task.directive.title}\n"
            f"Due {instants.iso_local(task.due_at, zone)} / {instants.iso_utc(task.due_at)}\n"
            f"Status: {task.get_status_display()}",
        )
        event.add("categories", ["Task"])
        cal.add_component(event)
    return bytes(cal.to_ical())


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    now = timezone.now()
    CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=now)
    body = build_feed(feed.user, now=now, base_url=request.build_absolute_uri("/").rstrip("/"))
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
        {"feed": feed, "feed_url": url, "zone": instants.company_zone().key, "now": timezone.now()},
    )


@login_required
@answers_domain_errors
@require_POST
def calendar_reset_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    with transaction.atomic():
        feed, created = CalendarFeedToken.objects.select_for_update().get_or_create(user=request.user)
        if not created:
            feed.token = new_feed_token()
            feed.save(update_fields=["token"])
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
