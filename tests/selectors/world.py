"""Known data for the selector and view tests of the engineers' and executives' pages.

Everything is written through the services (so the timeline is real), at instants before ``NOW``:
the Commerce order is received Friday 2026-11-27 17:21 ET, access is suspended 27 minutes later, and
``NOW`` is Sunday 2026-11-29 10:00 ET.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from directives.choices import (
    AccessState,
    DeadlineRule,
    DirectiveStatus,
    EntryKind,
    ObligationStatus,
    Priority,
    TaskStatus,
)
from directives.models import Audience, Directive, Obligation, RemediationTask
from directives.services import directives as directive_services
from directives.services import obligations as obligation_services
from directives.services import products as product_services
from directives.services import tasks as task_services
from directives.services.timeline import append_entry

from ..factories import ET_FRIDAY_1721, make_directive, make_obligation, make_product, make_task

RECEIVED = ET_FRIDAY_1721  # 2026-11-27T22:21Z
NOW = dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC)  # Sunday 10:00 ET
SHUTDOWN = RECEIVED + dt.timedelta(minutes=27)  # 17:48 ET


def at(minutes: int) -> dt.datetime:
    return RECEIVED + dt.timedelta(minutes=minutes)


@dataclass
class World:
    order: Directive
    quiet: Directive
    late: Directive
    met: Obligation
    future: Obligation
    missed: Obligation
    quiet_obligation: Obligation
    overdue_p0: RemediationTask
    soon: RemediationTask
    resolved: RemediationTask
    verified: RemediationTask
    blocked: RemediationTask
    escalated: RemediationTask
    late_p3: RemediationTask


def build_world(*, legal: Any, engineer: Any, engineer2: Any) -> World:
    fable, mythos = make_product("Fable 5"), make_product("Mythos")
    order = make_directive(
        actor=legal, products=[fable, mythos], title="Order to block foreign nationals", reference="BIS-ORD-1"
    )
    directive_services.transition_directive(
        directive=order, to_status=DirectiveStatus.IN_EFFECT, actor=legal, now=at(20)
    )
    met = make_obligation(
        order, actor=legal, rule=DeadlineRule.IMMEDIATELY, amount=None, title="Block now", now=at(21)
    )
    future = make_obligation(
        order, actor=legal, rule=DeadlineRule.CALENDAR_DAYS, amount=30, title="Certify", now=at(22)
    )
    missed = make_obligation(
        order, actor=legal, rule=DeadlineRule.HOURS, amount=1, title="Report in 1 h", now=at(23)
    )
    product_services.record_access_change(
        product=fable,
        audiences=list(Audience.objects.all()),
        state=AccessState.SUSPENDED,
        directive=order,
        occurred_at=SHUTDOWN,
        actor=engineer,
        now=at(30),
        reason="Total shutdown",
    )
    obligation_services.mark_obligation_met(obligation=met, met_at=SHUTDOWN, actor=legal, now=at(31))
    # The escalation sweep marks missed obligations; here the row is set directly (reads only).
    Obligation.objects.filter(pk=missed.pk).update(status=ObligationStatus.MISSED)

    overdue_p0 = make_task(
        order,
        actor=legal,
        now=at(40),
        title="Patch the jailbreak",
        assignee=engineer,
        priority=Priority.P0,
        due_at=RECEIVED + dt.timedelta(hours=24),
    )
    task_services.change_task_status(
        task=overdue_p0, to_status=TaskStatus.IN_PROGRESS, actor=engineer, now=at(41)
    )
    soon = make_task(
        order,
        actor=legal,
        now=at(42),
        title="Draft the plan",
        assignee=engineer,
        priority=Priority.P2,
        due_at=NOW + dt.timedelta(hours=12),
    )
    resolved = make_task(
        order,
        actor=legal,
        now=at(43),
        title="Kill switch",
        assignee=engineer,
        priority=Priority.P1,
        due_at=NOW + dt.timedelta(days=2),
    )
    task_services.resolve_task(
        task=resolved,
        actor=engineer,
        resolution="Switched off",
        now=at(24 * 60),
        evidence_links=["https://status.example/1"],
    )
    verified = make_task(
        order,
        actor=legal,
        now=at(44),
        title="Block API",
        assignee=engineer,
        priority=Priority.P0,
        due_at=NOW + dt.timedelta(days=3),
    )
    task_services.resolve_task(
        task=verified, actor=engineer, resolution="API returns 451", now=at(24 * 60 + 5)
    )
    task_services.verify_task(task=verified, actor=engineer2, now=at(24 * 60 + 10))
    blocked = make_task(
        order,
        actor=legal,
        now=at(45),
        title="Federal release",
        assignee=engineer2,
        priority=Priority.P2,
        due_at=NOW + dt.timedelta(days=20),
    )
    task_services.change_task_status(task=blocked, to_status=TaskStatus.BLOCKED, actor=engineer2, now=at(46))
    escalated = make_task(
        order,
        actor=legal,
        now=at(47),
        title="Red-team suite",
        assignee=engineer,
        priority=Priority.P3,
        due_at=NOW + dt.timedelta(days=3),
    )
    RemediationTask.objects.filter(pk=escalated.pk).update(escalation_level=1)
    append_entry(
        directive=order,
        kind=EntryKind.ESCALATED,
        occurred_at=NOW - dt.timedelta(hours=1),
        actor=None,
        now=NOW - dt.timedelta(hours=1),
        task=escalated,
        summary="Escalated to level 1: Red-team suite",
    )
    append_entry(
        directive=order,
        kind=EntryKind.ESCALATED,
        occurred_at=NOW - dt.timedelta(hours=30),
        actor=None,
        now=NOW - dt.timedelta(hours=30),
        task=overdue_p0,
        summary="Escalated long ago",
    )

    quiet = make_directive(actor=legal, title="Assessment", reference="EC-1")
    quiet_obligation = make_obligation(
        quiet, actor=legal, rule=DeadlineRule.HOURS, amount=72, title="Answer the questionnaire", now=at(50)
    )

    late = make_directive(actor=legal, title="Designation", reference="DOD-1")
    late_p3 = make_task(
        late,
        actor=legal,
        now=at(60),
        title="Low priority overdue",
        assignee=engineer2,
        priority=Priority.P3,
        due_at=RECEIVED + dt.timedelta(hours=30),
    )
    for task in (overdue_p0, soon, resolved, verified, blocked, escalated, late_p3):
        task.refresh_from_db()
    return World(
        order=order,
        quiet=quiet,
        late=late,
        met=met,
        future=future,
        missed=missed,
        quiet_obligation=quiet_obligation,
        overdue_p0=overdue_p0,
        soon=soon,
        resolved=resolved,
        verified=verified,
        blocked=blocked,
        escalated=escalated,
        late_p3=late_p3,
    )


def add_noise(*, legal: Any, engineer: Any, engineer2: Any, directives: int = 4, tasks: int = 5) -> None:
    """More of everything, to show that the pages' query counts do not grow with the data."""
    product = make_product(f"Noise product {Directive.objects.count()}")
    for n in range(directives):
        directive = make_directive(
            actor=legal,
            title=f"Noise {n}",
            reference=f"NOISE-{Directive.objects.count()}",
            products=[product],
        )
        directive_services.transition_directive(
            directive=directive, to_status=DirectiveStatus.IN_EFFECT, actor=legal, now=at(100)
        )
        make_obligation(directive, actor=legal, rule=DeadlineRule.HOURS, amount=12 + n, now=at(101))
        for i in range(tasks):
            task = make_task(
                directive,
                actor=legal,
                now=at(102),
                title=f"Noise task {n}.{i}",
                assignee=engineer if i % 2 else engineer2,
                priority=Priority.values[i % 4],
                due_at=RECEIVED + dt.timedelta(hours=6 * (i + 1)),
            )
            if i % 3 == 0:
                task_services.resolve_task(task=task, actor=task.assignee, resolution="done", now=at(200))
        append_entry(
            directive=directive,
            kind=EntryKind.ESCALATED,
            occurred_at=NOW - dt.timedelta(hours=2),
            actor=None,
            now=NOW - dt.timedelta(hours=2),
            summary="Escalated obligation",
        )
        product_services.record_access_change(
            product=product,
            audiences=list(Audience.objects.all()[:2]),
            state=AccessState.RESTRICTED,
            directive=directive,
            occurred_at=at(110 + n),
            actor=engineer,
            now=at(120),
        )
