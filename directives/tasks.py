"""Celery entry points: each takes ids (or nothing), calls one service, and is safe to run twice.

PostgreSQL holds the truth (levels, escalations, the outbox); the broker is a doorbell. Delivery tasks
acknowledge late and are requeued when their worker dies (``reject_on_worker_lost``); the attempt counter,
raised when a delivery claims its row, caps a message that kills its worker every time. No long
countdown or eta anywhere: the relay re-drives whatever is due from the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .escalation import sweep as escalation_sweep
from .selectors import snapshot
from .services import checkpoints as checkpoint_services
from .services import documents as document_services
from .services import drift as drift_services
from .services import enforcement as enforcement_services
from .services import mailbox as mailbox_services
from .services import notifications as notification_services


@shared_task(
    name="directives.tasks.sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=300,
    time_limit=360,
    ignore_result=True,
)
def sweep(share: bool = False) -> dict[str, Any]:
    """Beat runs this every DOCKET_SWEEP_INTERVAL_SECONDS; two at once are harmless (row locks).

    When more than one batch is due, it first asks DOCKET_SWEEP_SHARES - 1 more workers to sweep beside it
    (``share``: they ask no one else): ``FOR UPDATE SKIP LOCKED`` shares the rows out, so the backlog is
    worked on by several processes at once (docs/benchmarks.md). Each share sweeps at its own instant; a share that arrives late
    finds little or nothing left, and one not started within the interval expires."""
    now = timezone.now()
    shares = settings.DOCKET_SWEEP_SHARES
    if not share and shares > 1 and escalation_sweep.more_due_than(settings.DOCKET_SWEEP_BATCH_SIZE, now=now):
        for _ in range(shares - 1):
            sweep.apply_async(kwargs={"share": True}, expires=settings.DOCKET_SWEEP_INTERVAL_SECONDS)
    result = escalation_sweep.sweep(now=now)
    if result.notifications:
        notification_services.relay(now=timezone.now(), publish=_publish)
    return result.as_dict()


@shared_task(
    name="directives.tasks.relay_outbox",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=120,
    time_limit=150,
    ignore_result=True,
)
def relay_outbox() -> int:
    """Put the id of every due outbox row on the broker (again, if an earlier message was lost)."""
    return notification_services.relay(now=timezone.now(), publish=_publish)


@shared_task(
    name="directives.tasks.deliver_notification",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.DOCKET_WEBHOOK_TIMEOUT_SECONDS + 20,
    time_limit=settings.DOCKET_WEBHOOK_TIMEOUT_SECONDS + 30,
    ignore_result=True,
)
def deliver_notification(notification_id: int) -> str:
    return notification_services.deliver(notification_id=int(notification_id), now=timezone.now())


@shared_task(
    name="directives.tasks.timeline_checkpoint",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1860,
    ignore_result=True,
)
def timeline_checkpoint() -> str:
    """Beat runs this every DOCKET_CHECKPOINT_INTERVAL_SECONDS: verify the record, sign every chain's head and
    add the checkpoint to the checkpoint storage. A record that fails verification, or no longer holds what
    the latest stored checkpoint held, raises (the worker logs it as an error) and nothing is signed."""
    where, _ = checkpoint_services.store_new_checkpoint(now=timezone.now())
    return where


def _publish(notification_id: int) -> None:
    deliver_notification.delay(notification_id)


@shared_task(
    name="directives.tasks.refresh_dashboard", soft_time_limit=120, time_limit=150, ignore_result=True
)
def refresh_dashboard() -> bool:
    """Beat runs this every DOCKET_DASHBOARD_REFRESH_SECONDS: the dashboard's snapshot computed before a
    reader has to (``selectors.snapshot.refresh``). Reads only; no timeline entry."""
    ahead = dt.timedelta(seconds=settings.DOCKET_DASHBOARD_REFRESH_SECONDS)
    return snapshot.refresh(now=timezone.now(), ahead=ahead)


@shared_task(
    name="directives.tasks.extract_texts",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def extract_texts() -> int:
    """Beat runs this every DOCKET_EXTRACTION_INTERVAL_SECONDS: the text of documents that wait for it
    (``services.documents``); the database says which do, so a lost run only delays them."""
    return document_services.extract_pending_texts(limit=settings.DOCKET_EXTRACTION_BATCH_SIZE)


@shared_task(
    name="directives.tasks.poll_mailbox",
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def poll_mailbox() -> int:
    """Beat runs this every DOCKET_INTAKE_IMAP_INTERVAL_SECONDS when a mailbox is configured: each unseen
    message becomes an intake item, flagged seen on the server only once its row is committed
    (``services.mailbox``). A poll that dies is harmless: the next one reads what was not flagged."""
    return mailbox_services.poll_mailbox(now=timezone.now()).queued


@shared_task(
    name="directives.tasks.apply_enforcement",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.DOCKET_WEBHOOK_TIMEOUT_SECONDS * 20 + 20,
    time_limit=settings.DOCKET_WEBHOOK_TIMEOUT_SECONDS * 20 + 30,
    ignore_result=True,
)
def apply_enforcement(enforcement_id: int) -> str:
    """One attempt at an access change (``services.enforcement.attempt``); a copy that finds the row taken
    or done does nothing."""
    return enforcement_services.attempt(enforcement_id=int(enforcement_id), now=timezone.now())


@shared_task(name="directives.tasks.enforce_due", soft_time_limit=120, time_limit=150, ignore_result=True)
def enforce_due() -> int:
    """Beat runs this every DOCKET_ENFORCEMENT_INTERVAL_SECONDS: each due access change (a retry after its
    backoff, or one whose message was lost) goes on the broker again, and open changes whose directive's
    deadline nears are escalated."""
    now = timezone.now()
    ids = enforcement_services.claim_for_dispatch(now=now)
    for pk in ids:
        apply_enforcement.delay(pk)
    enforcement_services.escalate_near_deadlines(now=now)
    return len(ids)


@shared_task(name="directives.tasks.watch_drift", soft_time_limit=300, time_limit=360, ignore_result=True)
def watch_drift() -> int:
    """Beat runs this every DOCKET_DRIFT_INTERVAL_SECONDS: every control evaluated as each audience; a live
    state that differs from the recorded one is recorded and escalated (``services.drift``)."""
    return drift_services.watch(now=timezone.now()).drifted
