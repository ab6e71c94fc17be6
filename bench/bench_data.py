"""Generate benchmark data: users, authorities, products, directives with obligations, remediation tasks
and their hash-chained timeline entries, at up to millions of tasks.

``--tasks N`` active tasks (open, in progress, blocked), ``--due M`` of them newly due for escalation at
``--now`` (their ``next_escalation_at`` falls in the minutes before it), every other active task's next
escalation instant after ``--now``; ``--closed`` more tasks already resolved or verified (default N/4).
Each task's ``next_escalation_at`` comes from the escalation engine's own public function
(``directives.escalation.hooks.next_escalation_for_task``), so the data is what the services would write.

    python bench/bench_data.py --tasks 100000 --due 10000 --now 2026-11-29T15:00:00+00:00

(on the database of ``DATABASE_URL``; ``bench/common.py`` makes the template databases with it).
PostgreSQL: rows are streamed with COPY (``directives.bulk.copy_rows``); SQLite: ``bulk_create``.
Timeline entries are chained with ``services.timeline.entry_rows_for_bulk`` (so ``verify_timeline`` passes).
The data is added to what is there; run it on a database of its own (see docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import django

if __name__ == "__main__":  # run as a script: the repository root on the path, Django set up
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    django.setup()

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from directives.bulk import copy_rows
from directives.choices import (
    DeadlineRule,
    DirectiveKind,
    DirectiveStatus,
    EntryKind,
    ObligationStatus,
    Posture,
    Priority,
    Role,
    TaskStatus,
)
from directives.escalation.ladder import Firing, Ladder, firings_between, next_firing_after
from directives.escalation.policies import load_ladders
from directives.models import (
    Authority,
    Directive,
    DirectiveProduct,
    Escalation,
    EscalationSubject,
    Obligation,
    Product,
    RemediationTask,
    TimelineEntry,
    TimelineHead,
)
from directives.services.timeline import GENESIS, entry_rows_for_bulk

BENCH_PASSWORD = "bench-password"  # noqa: S105 - bench databases only, documented in docs/benchmarks.md
PRIORITY_WEIGHTS = {Priority.P0: 5, Priority.P1: 20, Priority.P2: 50, Priority.P3: 25}
ACTIVE_WEIGHTS = {TaskStatus.OPEN: 55, TaskStatus.IN_PROGRESS: 35, TaskStatus.BLOCKED: 10}
ZONES = ["America/New_York", "Europe/Brussels", "Europe/London", "Asia/Singapore", "America/Los_Angeles"]
# Newly due: the next escalation instant fell within this window before the sweep's ``now``.
DUE_WINDOW = dt.timedelta(minutes=5)
# Every other active task is first due at least this long after ``now``.
NOT_DUE_MARGIN = dt.timedelta(minutes=30)
NO_DEADLINE_SHARE = 0.08
# Active tasks past due and already escalated (their next step after now, or none left).
OVERDUE_SHARE = 0.06
CHUNK_TASKS = 10_000
OBLIGATIONS_MAX = 3
Built = tuple[
    Directive,
    list[DirectiveProduct],
    list[Obligation],
    list[RemediationTask],
    list[TimelineEntry],
    list[Escalation],
]


@dataclass
class Plan:
    """The shape of the data to generate, decided up front so that counts are exact."""

    now: dt.datetime
    tasks: int
    due: int
    closed: int
    directives: int
    users: int
    products: int
    seed: int


@dataclass
class DirectivePlan:
    index: int
    active_due: int = 0
    active: int = 0
    closed: int = 0
    # Explicit keys reserved up front (timeline hashes cover task and obligation ids).
    directive_id: int = 0
    first_task_id: int = 0
    first_obligation_id: int = 0


class Range:
    def __init__(self, start: int, end: int) -> None:
        self.next, self.end = start, end

    def take(self) -> int:
        if self.next >= self.end:
            raise RuntimeError("more ids taken than reserved")
        value, self.next = self.next, self.next + 1
        return value


@dataclass
class Stats:
    directives: int = 0
    obligations: int = 0
    tasks: int = 0
    active: int = 0
    due: int = 0
    closed: int = 0
    entries: int = 0
    seconds: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)


class Ids:
    """Explicit primary keys, reserved up front: timeline hashes cover task and obligation ids."""

    def __init__(self, model: type[models.Model], count: int) -> None:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                seq = cursor.fetchone()[0]
                cursor.execute("SELECT nextval(%s)", [seq])
                self.next = int(cursor.fetchone()[0])
                if count > 1:
                    cursor.execute("SELECT setval(%s, %s)", [seq, self.next + count - 1])
            else:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 - model table name
                self.next = int(cursor.fetchone()[0]) + 1
        self.end = self.next + count

    def take(self) -> int:
        if self.next >= self.end:
            raise RuntimeError("more ids taken than reserved")
        value, self.next = self.next, self.next + 1
        return value


class Writer:
    """COPY on PostgreSQL, bulk_create elsewhere; rows are model instances either way."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.superuser: bool | None = None

    def prepare(self) -> None:
        """On PostgreSQL as a superuser, skip the foreign-key triggers while loading (as pg_restore
        --disable-triggers does): the rows are consistent by construction, and the bench test and
        ``verify_timeline`` check them. ``SET LOCAL``: only for the current transaction."""
        if not self.postgres:
            return
        if self.superuser is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                row = cursor.fetchone()
                self.superuser = bool(row and row[0])
        if self.superuser:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def write(self, model: type[models.Model], objs: Sequence[models.Model]) -> None:
        if not objs:
            return
        if not self.postgres:
            model._default_manager.bulk_create(objs, batch_size=500)
            return
        # Rows without an explicit key get the database's (identity column).
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        ids = [obj.pk for obj in objs] if objs[0].pk is not None else None
        copy_rows(model, ({name: getattr(obj, name) for name in fields} for obj in objs), ids)

    def restore(self) -> None:
        """The triggers on again, for whatever else the enclosing transaction does (a test's, say)."""
        if self.postgres and self.superuser:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")

    def write_heads(self, entries: Sequence[TimelineEntry]) -> None:
        """The chains' heads: the database's insert trigger writes them, but not while ``prepare`` has
        silenced the triggers, so then they are written here (each chunk's directives are new)."""
        if not (self.postgres and self.superuser):
            return
        last: dict[int, TimelineEntry] = {}
        for entry in entries:
            if entry.directive_id not in last or entry.seq > last[entry.directive_id].seq:
                last[entry.directive_id] = entry
        self.write(
            TimelineHead, [TimelineHead(directive_id=d, seq=e.seq, hash=e.hash) for d, e in last.items()]
        )


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    if end <= start:
        return start
    return start + dt.timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))


def _first_level(ladder: Ladder) -> int | None:
    """Index of the ladder's first escalation step (level 1 and up: at or after due)."""
    return next((i for i, step in enumerate(ladder.steps) if step.level >= 1), None)


class Generator:
    def __init__(self, plan: Plan, progress: Callable[[int], None]) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.advance = progress
        self.writer = Writer()
        self.stats = Stats()
        # The escalation engine's own ladders and schedule functions decide every marker.
        ladders = load_ladders()
        self.task_ladders: dict[str, Ladder] = {
            p: ladders[EscalationSubject.TASK.value, p]
            for p in Priority.values
            if (EscalationSubject.TASK.value, p) in ladders
        }
        self.obligation_ladder = ladders.get((EscalationSubject.OBLIGATION.value, ""))
        # Priorities whose ladder has a level at or after due (the due tasks are escalated to it).
        self.escalating = [p for p, ladder in self.task_ladders.items() if _first_level(ladder) is not None]
        if plan.due and not self.escalating:
            raise CommandError("The escalation policies escalate no priority: no task can be made due.")

    # --- reference data -----------------------------------------------------------------------

    def make_people(self) -> None:
        plan = self.plan
        user_model = get_user_model()
        password = make_password(BENCH_PASSWORD)
        tag = f"{plan.seed}-{int(time.time())}"
        shares = [(Role.ENGINEERING, 0.70), (Role.LEGAL, 0.15), (Role.EXECUTIVE, 0.08), (Role.AUDITOR, 0.07)]
        people: dict[Role, list[Any]] = {}
        ids = Ids(user_model, plan.users)
        made: list[Any] = []
        remaining = plan.users
        for i, (role, share) in enumerate(shares):
            count = remaining if i == len(shares) - 1 else max(1, round(plan.users * share))
            count = min(count, remaining - (len(shares) - 1 - i))
            remaining -= count
            people[role] = []
            for n in range(count):
                username = (
                    f"bench-{role.value[:3]}-{n + 1:04d}"
                    if not self._users_exist()
                    else f"bench-{tag}-{role.value[:3]}-{n + 1:04d}"
                )
                user = user_model(
                    pk=ids.take(),
                    username=username,
                    email=f"{username}@bench.docket.example",
                    password=password,
                    is_active=True,
                    date_joined=plan.now - dt.timedelta(days=400),
                )
                people[role].append(user)
                made.append(user)
        user_model._default_manager.bulk_create(made)
        groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in people])}
        through = user_model.groups.through
        links = []
        for role, users in people.items():
            group = groups.get(role.value) or Group.objects.create(name=role.value)
            links += [through(user_id=u.pk, group_id=group.pk) for u in users]
        through.objects.bulk_create(links)
        self.engineers = people[Role.ENGINEERING]
        self.names: dict[int | None, str] = {u.pk: u.username for u in made}
        self.legal = people[Role.LEGAL]
        # A few people own most of the work (Zipf-like), as on a real board.
        # Some people carry more than others: the busiest engineer about 6x the average, the least 1/3.
        n = len(self.engineers)
        self.engineer_weights = list(itertools.accumulate(1 / (1 + 19 * rank / n) for rank in range(n)))
        self.authorities = []
        for i, zone in enumerate(ZONES):
            authority, _ = Authority.objects.get_or_create(
                name=f"Bench authority {i + 1}",
                defaults={"short_name": f"BA{i + 1}", "jurisdiction": "Bench", "time_zone": zone},
            )
            self.authorities.append(authority)
        start = Ids(Product, plan.products)
        self.products = [
            Product(pk=pk, name=f"Bench product {pk:04d}", owner_team=f"team-{pk % 12}")
            for pk in (start.take() for _ in range(plan.products))
        ]
        Product.objects.bulk_create(self.products)

    _users_exist_cache: bool | None = None

    def _users_exist(self) -> bool:
        if self._users_exist_cache is None:
            self._users_exist_cache = (
                get_user_model()._default_manager.filter(username="bench-eng-0001").exists()
            )
        return self._users_exist_cache

    # --- the shape ----------------------------------------------------------------------------

    def directive_plans(self) -> list[DirectivePlan]:
        plan, rng = self.plan, self.rng
        # Directive sizes vary a lot: a few big orders with thousands of tasks, many small ones.
        weights = [rng.lognormvariate(0, 1.0) for _ in range(plan.directives)]
        plans = [DirectivePlan(index=i) for i in range(plan.directives)]
        for d in rng.choices(range(plan.directives), weights=weights, k=plan.tasks):
            plans[d].active += 1
        for d in rng.choices(range(plan.directives), weights=weights, k=plan.closed):
            plans[d].closed += 1
        # The due tasks: a uniform sample of the active ones.
        slots = [p.index for p in plans for _ in range(p.active)]
        for d in rng.sample(slots, plan.due):
            plans[d].active_due += 1
        dir_ids = Ids(Directive, plan.directives)
        task_ids = Ids(RemediationTask, plan.tasks + plan.closed)
        obl_ids = Ids(Obligation, plan.directives * OBLIGATIONS_MAX)
        for p in plans:
            p.directive_id = dir_ids.take()
            p.first_obligation_id = obl_ids.next + p.index * OBLIGATIONS_MAX
            p.first_task_id = task_ids.next
            task_ids.next += p.active + p.closed
        return plans

    # --- one directive ------------------------------------------------------------------------

    def build_directive(self, dplan: DirectivePlan) -> Built:
        # One generator per directive: the data does not depend on how the work is split among processes.
        self.rng = rng = random.Random(f"{self.plan.seed}-{dplan.index}")
        now = self.plan.now
        pk = dplan.directive_id
        obl_ids = Range(dplan.first_obligation_id, dplan.first_obligation_id + OBLIGATIONS_MAX)
        task_ids = Range(dplan.first_task_id, dplan.first_task_id + dplan.active + dplan.closed)
        authority = rng.choice(self.authorities)
        received_at = now - dt.timedelta(days=rng.uniform(30, 540))
        creator = rng.choice(self.legal)
        open_work = dplan.active > 0
        status = (
            rng.choice([DirectiveStatus.IN_REMEDIATION, DirectiveStatus.IN_EFFECT])
            if open_work
            else rng.choice([DirectiveStatus.COMPLIANT, DirectiveStatus.CLOSED, DirectiveStatus.LIFTED])
        )
        directive = Directive(
            pk=pk,
            authority=authority,
            reference=f"BENCH-{pk:07d}",
            title=f"Bench order {pk}: remediate listed products",
            kind=_weighted(
                rng,
                {
                    DirectiveKind.MANDATORY_ORDER: 6,
                    DirectiveKind.EXPORT_CONTROL: 3,
                    DirectiveKind.ASSESSMENT: 1,
                },
            ),
            summary="Generated for benchmarks.",
            received_at=received_at,
            received_by=creator,
            status=status,
            posture=_weighted(rng, {Posture.COMPLYING: 6, Posture.UNDER_PROTEST: 2, Posture.CONTESTING: 1}),
            created_by=creator,
            created_at=received_at + dt.timedelta(minutes=10),
            updated_at=received_at + dt.timedelta(minutes=10),
        )
        products = rng.sample(self.products, k=min(len(self.products), rng.randint(1, 4)))
        links = [
            DirectiveProduct(
                directive_id=pk,
                product=p,
                required_action=rng.choice(["Restrict access", "Patch", "Remove listing"]),
            )
            for p in products
        ]
        events: list[tuple[dt.datetime, int, dict[str, Any]]] = []  # (occurred_at, tie-break, entry fields)
        local = received_at.astimezone(ZoneInfo(authority.time_zone))
        events.append(
            (
                received_at,
                0,
                {
                    "kind": EntryKind.RECEIVED,
                    "occurred_at": received_at,
                    "recorded_at": received_at + dt.timedelta(minutes=10),
                    "actor_id": creator.pk,
                    "actor_label": creator.username,
                    "summary": f"{authority} order {directive.reference} received at {local:%H:%M} {local.tzname()}",
                    "data": {"reference": directive.reference, "received_at_local": local.isoformat()},
                },
            )
        )
        obligations = []
        for _ in range(rng.randint(1, OBLIGATIONS_MAX)):
            days = rng.choice([1, 3, 7, 14, 30, 60])
            due_at = received_at + dt.timedelta(days=days)
            obligation = Obligation(
                pk=obl_ids.take(),
                directive_id=pk,
                title=f"Comply within {days} calendar days",
                deadline_rule=DeadlineRule.CALENDAR_DAYS,
                deadline_amount=days,
                due_at=due_at,
                due_rule_text=f"Within {days} calendar days",
                status=ObligationStatus.OPEN,
                created_at=received_at + dt.timedelta(minutes=12),
            )
            # As the engine's next_escalation_for_obligation: its first reminder, or its due instant.
            reminder_at = (
                next_firing_after(self.obligation_ladder, due_at, None) if self.obligation_ladder else None
            )
            nxt: dt.datetime | None = min(due_at, reminder_at) if reminder_at else due_at
            if nxt is not None and nxt <= now + NOT_DUE_MARGIN:
                # Past its deadline: met in time (an open, overdue one would be due for the sweep).
                obligation.status = ObligationStatus.MET
                obligation.met_at = _between(rng, received_at, due_at)
                nxt = None
            obligation.next_escalation_at = nxt
            obligations.append(obligation)
            events.append(
                (
                    obligation.created_at,
                    1,
                    {
                        "kind": EntryKind.OBLIGATION_ADDED,
                        "occurred_at": obligation.created_at,
                        "recorded_at": obligation.created_at,
                        "actor_id": creator.pk,
                        "actor_label": creator.username,
                        "summary": f"Obligation added: {obligation.title}; due {due_at.isoformat()}",
                        "data": {"title": obligation.title, "due_at": due_at.isoformat()},
                        "obligation_id": obligation.pk,
                    },
                )
            )
            if obligation.met_at is not None:
                events.append(
                    (
                        obligation.met_at,
                        2,
                        {
                            "kind": EntryKind.OBLIGATION_MET,
                            "occurred_at": obligation.met_at,
                            "recorded_at": obligation.met_at,
                            "actor_id": creator.pk,
                            "actor_label": creator.username,
                            "summary": f"Obligation met: {obligation.title}",
                            "data": {},
                            "obligation_id": obligation.pk,
                        },
                    )
                )
        tasks: list[RemediationTask] = []
        escalations: list[Escalation] = []
        kinds = [True] * dplan.active_due + [False] * (dplan.active - dplan.active_due)
        for due in kinds:
            task, fired = self._active_task(task_ids.take(), directive, obligations, products, due=due)
            tasks.append(task)
            escalations += fired
        for _ in range(dplan.closed):
            tasks.append(self._closed_task(task_ids.take(), directive, obligations, products))
        for task in tasks:
            events += self._task_events(task)
        events += self._escalation_events(escalations, tasks)
        events.sort(key=lambda e: (e[0], e[1]))
        entries = entry_rows_for_bulk(
            directive_id=pk, start_seq=1, prev_hash=GENESIS, items=(fields for _, _, fields in events)
        )
        return directive, links, obligations, tasks, entries, escalations

    def _task_common(
        self, pk: int, directive: Directive, obligations: list[Obligation], products: list[Product]
    ) -> dict[str, Any]:
        rng = self.rng
        obligation = rng.choice(obligations) if rng.random() < 0.7 else None
        return {
            "pk": pk,
            "directive_id": directive.pk,
            "obligation_id": obligation.pk if obligation else None,
            "product_id": rng.choice(products).pk if rng.random() < 0.8 else None,
            "title": f"Remediate item {pk} of {directive.reference}",
            "description": "",
            "assignee_id": (
                rng.choices(self.engineers, cum_weights=self.engineer_weights)[0].pk
                if rng.random() < 0.95
                else None
            ),
            "created_by_id": directive.created_by_id,
        }

    def _active_task(
        self,
        pk: int,
        directive: Directive,
        obligations: list[Obligation],
        products: list[Product],
        *,
        due: bool,
    ) -> tuple[RemediationTask, list[Escalation]]:
        """An active task and the escalations already recorded for it. Three phases: newly due (its
        reminder went out; level 1 came due in the minutes before ``now``), overdue and already escalated
        (its next step after ``now``), or due later (first reminder after ``now``)."""
        rng, now = self.rng, self.plan.now
        fields = self._task_common(pk, directive, obligations, products)
        status = _weighted(rng, ACTIVE_WEIGHTS)
        fired: list[Firing] = []
        if due:
            priority = _weighted(rng, {p: PRIORITY_WEIGHTS[Priority(p)] for p in self.escalating})
            ladder: Ladder | None = self.task_ladders[priority]
            assert ladder is not None
            step = ladder.steps[_first_level(ladder) or 0]
            at = now - dt.timedelta(seconds=rng.uniform(1, DUE_WINDOW.total_seconds()))
            due_at: dt.datetime | None = at - step.offset
        else:
            priority = _weighted(rng, PRIORITY_WEIGHTS)
            ladder = self.task_ladders.get(priority)
            roll = rng.random()
            if roll < NO_DEADLINE_SHARE:
                due_at = None
            elif roll < NO_DEADLINE_SHARE + OVERDUE_SHARE or ladder is None:
                due_at = now - dt.timedelta(hours=rng.uniform(1, 24 * 20))
            else:
                # First reminder mostly within weeks, a long tail months ahead.
                first = now + NOT_DUE_MARGIN + dt.timedelta(days=rng.expovariate(1 / 20))
                due_at = first - ladder.steps[0].offset
        if due_at is not None and ladder is not None:
            # Everything of the ladder before now has been recorded (by earlier sweeps, up to a minute late).
            fired = firings_between(ladder, due_at, due_at - dt.timedelta(days=3650), now)
            if due:
                fired = [f for f in fired if f.at < at]
        nxt = None
        if due_at is not None and ladder is not None:
            # The engine's rule (next_escalation_for_task): the first firing after the last one recorded.
            nxt = next_firing_after(ladder, due_at, max((f.at for f in fired), default=None))
            if not due and nxt is not None and nxt <= now + NOT_DUE_MARGIN:
                # A repeating step comes round within the margin: record it as fired too.
                fired = firings_between(ladder, due_at, due_at - dt.timedelta(days=3650), nxt)
                nxt = next_firing_after(ladder, due_at, nxt)
        if due and (nxt is None or not now - DUE_WINDOW <= nxt <= now):
            raise CommandError(
                f"Task {pk} was meant to be newly due at {now.isoformat()} but is due at {nxt}."
            )
        if not due and nxt is not None and nxt <= now:
            raise CommandError(f"Task {pk} would be due at {now.isoformat()} but was not meant to be.")
        if due_at is not None and due_at < directive.received_at + dt.timedelta(hours=1):
            due_at = directive.received_at + dt.timedelta(hours=1) if ladder is None else due_at
        earliest = directive.received_at + dt.timedelta(minutes=20)
        latest = now - dt.timedelta(minutes=1)
        if due_at is not None:
            latest = min(latest, due_at - dt.timedelta(hours=1), *(f.at for f in fired))
        created_at = _between(rng, earliest, latest)
        task = RemediationTask(
            **fields,
            priority=priority,
            status=status,
            due_at=due_at,
            created_at=created_at,
            updated_at=created_at,
            updated_by_id=directive.created_by_id,
            version=1,
            escalation_level=max((f.step.level for f in fired), default=0),
            next_escalation_at=nxt,
        )
        if status != TaskStatus.OPEN:
            task.updated_at = _between(rng, created_at, now - dt.timedelta(seconds=30))
            task.updated_by_id = task.assignee_id or directive.created_by_id
            task.version = 2
        if due_at is None:
            return task, []
        rows = [
            Escalation(
                task_id=pk,
                directive_id=directive.pk,
                step_id=f.step.id,
                level=f.step.level,
                repeat=f.repeat,
                name=f.step.name,
                reminder=f.step.reminder,
                due_at=due_at,
                scheduled_at=f.at,
                fired_at=min(now, f.at + dt.timedelta(seconds=rng.uniform(0, 60))),
                notified=True,
            )
            for f in fired
        ]
        return task, rows

    def _escalation_events(
        self, escalations: list[Escalation], tasks: list[RemediationTask]
    ) -> Iterator[tuple[dt.datetime, int, dict[str, Any]]]:
        by_pk = {t.pk: t for t in tasks}
        for e in escalations:
            task = by_pk[e.task_id or 0]
            kind = EntryKind.REMINDER_SENT if e.reminder else EntryKind.ESCALATED
            summary = (
                f"Reminder: task '{task.title}' due {e.due_at.isoformat()}."
                if e.reminder
                else f"Task escalated to level {e.level}: {e.name}: '{task.title}'."
            )
            yield (
                e.scheduled_at,
                7,
                {
                    "kind": kind,
                    "occurred_at": e.scheduled_at,
                    "recorded_at": e.fired_at,
                    "actor_id": None,
                    "actor_label": "system",
                    "summary": summary,
                    "data": {
                        "level": e.level,
                        "repeat": e.repeat,
                        "step": e.name,
                        "scheduled_at": e.scheduled_at.isoformat(),
                        "due_at": e.due_at.isoformat(),
                        "notified": True,
                        "catch_up": False,
                    },
                    "task_id": e.task_id,
                },
            )

    def _closed_task(
        self, pk: int, directive: Directive, obligations: list[Obligation], products: list[Product]
    ) -> RemediationTask:
        rng, now = self.rng, self.plan.now
        fields = self._task_common(pk, directive, obligations, products)
        status = _weighted(rng, {TaskStatus.RESOLVED: 35, TaskStatus.VERIFIED: 65})
        created_at = _between(
            rng, directive.received_at + dt.timedelta(minutes=20), now - dt.timedelta(days=2)
        )
        due_at = created_at + dt.timedelta(days=rng.uniform(1, 30))
        resolved_at = _between(
            rng, created_at, min(now - dt.timedelta(days=1), due_at + dt.timedelta(days=3))
        )
        resolver = int(fields["assignee_id"] or directive.created_by_id or 0)
        verifier = rng.choice([u.pk for u in self.legal if u.pk != resolver])
        task = RemediationTask(
            **fields,
            priority=_weighted(rng, PRIORITY_WEIGHTS),
            status=status,
            due_at=due_at,
            created_at=created_at,
            resolution="Fixed and deployed; see the linked change.",
            resolved_by_id=resolver,
            resolved_at=resolved_at,
            updated_by_id=resolver,
            updated_at=resolved_at,
            version=2,
            next_escalation_at=None,
        )
        if status == TaskStatus.VERIFIED:
            task.verified_by_id = verifier
            task.verified_at = resolved_at + dt.timedelta(hours=rng.uniform(1, 48))
            task.updated_by_id, task.updated_at, task.version = verifier, task.verified_at, 3
        return task

    def _task_events(self, task: RemediationTask) -> Iterator[tuple[dt.datetime, int, dict[str, Any]]]:
        names = self.names
        assignee = names[task.assignee_id] if task.assignee_id else "nobody"
        common = {"task_id": task.pk, "obligation_id": task.obligation_id, "product_id": task.product_id}
        due = task.due_at.isoformat() if task.due_at else None
        yield (
            task.created_at,
            3,
            {
                "kind": EntryKind.TASK_CREATED,
                "occurred_at": task.created_at,
                "recorded_at": task.created_at,
                "actor_id": task.created_by_id,
                "actor_label": names[task.created_by_id],
                "summary": f"Task created ({task.priority}): {task.title}; assigned to {assignee}"
                + (f"; due {due}" if due else ""),
                "data": {"title": task.title, "priority": task.priority, "assignee": assignee, "due_at": due},
                **common,
            },
        )
        task_only = {"task_id": task.pk}
        if task.status in (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED):
            target = TaskStatus(task.status)
            yield (
                task.updated_at,
                4,
                {
                    "kind": EntryKind.TASK_UPDATED,
                    "occurred_at": task.updated_at,
                    "recorded_at": task.updated_at,
                    "actor_id": task.updated_by_id,
                    "actor_label": names[task.updated_by_id],
                    "summary": f"Task moved: {task.title}: Open → {target.label}",
                    "data": {"from": TaskStatus.OPEN.value, "to": target.value, "note": ""},
                    **task_only,
                },
            )
        if task.resolved_at is not None:
            yield (
                task.resolved_at,
                5,
                {
                    "kind": EntryKind.TASK_RESOLVED,
                    "occurred_at": task.resolved_at,
                    "recorded_at": task.resolved_at,
                    "actor_id": task.resolved_by_id,
                    "actor_label": names[task.resolved_by_id],
                    "summary": f"Task resolved: {task.title}. {task.resolution}",
                    "data": {"resolution": task.resolution, "evidence": []},
                    **task_only,
                },
            )
        if task.verified_at is not None:
            yield (
                task.verified_at,
                6,
                {
                    "kind": EntryKind.TASK_VERIFIED,
                    "occurred_at": task.verified_at,
                    "recorded_at": task.verified_at,
                    "actor_id": task.verified_by_id,
                    "actor_label": names[task.verified_by_id],
                    "summary": f"Task verified by {names[task.verified_by_id]} "
                    f"(resolved by {names[task.resolved_by_id]}): {task.title}",
                    "data": {"resolved_by": names[task.resolved_by_id], "note": ""},
                    **task_only,
                },
            )

    # --- the run ------------------------------------------------------------------------------

    def run(self, jobs: int) -> Stats:
        started = time.perf_counter()
        with transaction.atomic():
            self.make_people()
            plans = self.directive_plans()
        chunks: list[list[DirectivePlan]] = [[]]
        size = 0
        for dplan in plans:
            if size >= CHUNK_TASKS:
                chunks.append([])
                size = 0
            chunks[-1].append(dplan)
            size += dplan.active + dplan.closed
        # Worker processes commit on connections of their own: not inside a caller's transaction (a test).
        if jobs <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
            for chunk in chunks:
                self._add(self.write_chunk(chunk))
        else:
            # Forked workers, each with its own connection; the parent's must not be shared.
            connection.close()
            global _WORKER  # the forked workers' generator
            _WORKER = self
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                for part in pool.imap_unordered(_write_chunk_in_worker, chunks):
                    self._add(part)
        self.stats.seconds = time.perf_counter() - started
        return self.stats

    def write_chunk(self, chunk: list[DirectivePlan]) -> Stats:
        built = [self.build_directive(dplan) for dplan in chunk]
        tasks = [t for b in built for t in b[3]]
        entries = [e for b in built for e in b[4]]
        with transaction.atomic():
            self.writer.prepare()
            self.writer.write(Directive, [b[0] for b in built])
            self.writer.write(DirectiveProduct, [link for b in built for link in b[1]])
            self.writer.write(Obligation, [o for b in built for o in b[2]])
            self.writer.write(RemediationTask, tasks)
            self.writer.write(TimelineEntry, entries)
            self.writer.write_heads(entries)
            self.writer.write(Escalation, [e for b in built for e in b[5]])
            self.writer.restore()
        part = Stats(
            directives=len(built),
            obligations=sum(len(b[2]) for b in built),
            tasks=len(tasks),
            due=sum(d.active_due for d in chunk),
            entries=len(entries),
        )
        for t in tasks:
            part.by_status[t.status] = part.by_status.get(t.status, 0) + 1
        return part

    def _add(self, part: Stats) -> None:
        s = self.stats
        s.directives += part.directives
        s.obligations += part.obligations
        s.tasks += part.tasks
        s.due += part.due
        s.entries += part.entries
        for status, count in part.by_status.items():
            s.by_status[status] = s.by_status.get(status, 0) + count
        self.advance(part.tasks)


_WORKER: Generator | None = None


def _write_chunk_in_worker(chunk: list[DirectivePlan]) -> Stats:
    if _WORKER is None:
        raise RuntimeError("worker started without a generator")
    return _WORKER.write_chunk(chunk)


def _parse_now(value: str | None) -> dt.datetime:
    if not value:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now {value!r} is not an ISO 8601 instant ({exc}).") from exc
    if parsed.tzinfo is None:
        raise CommandError(f"--now {value!r} has no offset; give one, e.g. {value}+00:00.")
    return parsed.astimezone(dt.UTC)


class Command(BaseCommand):
    help = "Generate benchmark data (directives, tasks, timeline) with M tasks newly due for escalation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tasks", type=int, required=True, help="Active (open/in progress/blocked) tasks"
        )
        parser.add_argument("--due", type=int, default=0, help="How many active tasks are newly due at --now")
        parser.add_argument(
            "--closed", type=int, default=None, help="Resolved/verified tasks (default tasks/4)"
        )
        parser.add_argument(
            "--directives", type=int, default=None, help="Directives (default tasks/250, min 2)"
        )
        parser.add_argument(
            "--users",
            type=int,
            default=None,
            help="Users, 70%% engineers (default: max(200, tasks/300); min 8)",
        )
        parser.add_argument("--products", type=int, default=60)
        parser.add_argument(
            "--now", default=None, help="The sweep's instant, ISO 8601 with offset (default: now)"
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="Worker processes (PostgreSQL; default: cores)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tasks, due = options["tasks"], options["due"]
        closed = options["closed"] if options["closed"] is not None else tasks // 4
        directives = options["directives"] or max(2, tasks // 250)
        # As many people as such a workload needs: a few hundred active tasks each on average.
        users = options["users"] or max(200, tasks // 300)
        for name, value, low in (
            ("tasks", tasks, 0),
            ("due", due, 0),
            ("closed", closed, 0),
            ("directives", directives, 1),
            ("users", users, 8),
            ("products", options["products"], 1),
        ):
            if value < low:
                raise CommandError(f"--{name} must be at least {low} (got {value}).")
        if due > tasks:
            raise CommandError(f"--due {due} is more than --tasks {tasks}.")
        plan = Plan(
            now=_parse_now(options["now"]),
            tasks=tasks,
            due=due,
            closed=closed,
            directives=directives,
            users=users,
            products=options["products"],
            seed=options["seed"],
        )
        console = Console(stderr=True)
        total = tasks + closed
        with Progress(
            TextColumn("[bold]bench_data[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("tasks"),
            TimeElapsedColumn(),
            console=console,
            disable=options["verbosity"] == 0,
        ) as progress:
            bar = progress.add_task("tasks", total=total)
            done = [0, 0.0]

            def advance(n: int) -> None:
                progress.advance(bar, n)
                done[0] += n
                # Not a terminal (a log file): a plain line every 10 %, as the bar does not redraw there.
                if not console.is_terminal and options["verbosity"] and done[0] >= done[1] + total / 10:
                    done[1] = done[0]
                    console.print(f"bench_data: {done[0]}/{total} tasks", highlight=False)

            generator = Generator(plan, advance)
            stats = generator.run(options["jobs"])
        if connection.vendor == "postgresql":
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            console.print(f"ANALYZE: {time.perf_counter() - started:.1f} s")
        rate = stats.tasks / stats.seconds if stats.seconds else math.inf
        self.stdout.write(
            json.dumps(
                {
                    "now": plan.now.isoformat(),
                    "directives": stats.directives,
                    "obligations": stats.obligations,
                    "tasks": stats.tasks,
                    "due": stats.due,
                    "by_status": stats.by_status,
                    "users": plan.users,
                    "timeline_entries": stats.entries,
                    "seconds": round(stats.seconds, 1),
                    "tasks_per_second": round(rate),
                }
            )
        )


if __name__ == "__main__":
    Command().run_from_argv(["bench_data", "bench_data", *sys.argv[1:]])
