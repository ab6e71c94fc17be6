"""Deadlines as an iCalendar feed. Each event starts at the due instant, in UTC, so that every calendar
app shows it in its own zone correctly; the description repeats it in the authority's zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from icalendar import Alarm, Calendar, Event

from .. import instants
from ..selectors.calendar import Deadlines

EVENT_LENGTH = dt.timedelta(minutes=15)
ALARM_BEFORE = dt.timedelta(hours=1)


def deadlines_calendar(
    deadlines: Deadlines, *, now: dt.datetime, directive_url: Callable[[int], str]
) -> bytes:
    """The feed of ``deadlines`` (``selectors.calendar.deadlines_of``), stamped ``now``; an obligation's
    event links to its directive's page at ``directive_url(directive_id)``."""
    cal = Calendar()
    cal.add("prodid", "-//Docket//Regulatory deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Docket deadlines")
    for ob in deadlines.obligations:
        event = _event(f"obligation-{ob.pk}@docket", ob.due_at, now)
        event.add("summary", f"Due: {ob.title} ({ob.directive.reference})")
        event.add(
            "description",
            f"{ob.directive.authority}: {ob.directive.title}\nObligation: {ob.title} ({ob.due_rule_text})\n"
            f"{_due(ob.due_at, ob.directive.authority)}\nStatus: {ob.get_status_display()}",
        )
        event.add("url", directive_url(ob.directive_id))
        event.add("categories", ["Obligation"])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Due in 1 hour: {ob.title}")
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
        cal.add_component(event)
    for task in deadlines.tasks:
        if task.due_at is None:  # excluded by the selector; keeps the type checker sure
            continue
        event = _event(f"task-{task.pk}@docket", task.due_at, now)
        event.add("summary", f"Task due ({task.priority}): {task.title}")
        event.add(
            "description",
            f"{task.directive.reference}: {task.directive.title}\n"
            f"{_due(task.due_at, task.directive.authority)}\nStatus: {task.get_status_display()}",
        )
        event.add("categories", ["Task"])
        cal.add_component(event)
    return bytes(cal.to_ical())


def _event(uid: str, due_at: dt.datetime, now: dt.datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    start = due_at.astimezone(dt.UTC)
    event.add("dtstart", start)
    try:
        event.add("dtend", start + EVENT_LENGTH)
    except OverflowError:  # a due instant stored at the end of the calendar: an event of no length
        event.add("dtend", start)
    return event


def _due(due_at: dt.datetime, authority: object) -> str:
    return f"Due {instants.iso_local(due_at, authority)} / {instants.iso_utc(due_at)}"
