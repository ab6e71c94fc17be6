"""Celery wiring. Tasks live in ``directives.tasks``; the schedule is here so one beat drives it."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")

app = Celery("compliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule(sender: Celery, **_: object) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = {
        "escalation-sweep": {
            "task": "directives.tasks.sweep",
            "schedule": float(settings.DOCKET_SWEEP_INTERVAL_SECONDS),
        },
        "outbox-relay": {
            "task": "directives.tasks.relay_outbox",
            "schedule": float(settings.DOCKET_RELAY_INTERVAL_SECONDS),
        },
        "document-texts": {
            "task": "directives.tasks.extract_texts",
            "schedule": float(settings.DOCKET_EXTRACTION_INTERVAL_SECONDS),
            "options": {"expires": float(settings.DOCKET_EXTRACTION_INTERVAL_SECONDS)},
        },
        "enforcement-relay": {
            "task": "directives.tasks.enforce_due",
            "schedule": float(settings.DOCKET_ENFORCEMENT_INTERVAL_SECONDS),
            "options": {"expires": float(settings.DOCKET_ENFORCEMENT_INTERVAL_SECONDS)},
        },
        "drift-watch": {
            "task": "directives.tasks.watch_drift",
            "schedule": float(settings.DOCKET_DRIFT_INTERVAL_SECONDS),
            "options": {"expires": float(settings.DOCKET_DRIFT_INTERVAL_SECONDS)},
        },
    }
    if settings.DOCKET_INTAKE_IMAP_HOST:  # the watched intake mailbox, when one is configured
        sender.conf.beat_schedule["intake-mailbox"] = {
            "task": "directives.tasks.poll_mailbox",
            "schedule": float(settings.DOCKET_INTAKE_IMAP_INTERVAL_SECONDS),
            "options": {"expires": float(settings.DOCKET_INTAKE_IMAP_INTERVAL_SECONDS)},
        }
    if settings.DOCKET_CHECKPOINT_INTERVAL_SECONDS > 0:  # 0: checkpoints only by hand
        sender.conf.beat_schedule["timeline-checkpoint"] = {
            "task": "directives.tasks.timeline_checkpoint",
            "schedule": float(settings.DOCKET_CHECKPOINT_INTERVAL_SECONDS),
            "options": {"expires": float(settings.DOCKET_CHECKPOINT_INTERVAL_SECONDS)},
        }
    if settings.DOCKET_DASHBOARD_REFRESH_SECONDS > 0:  # 0: readers compute the dashboard themselves
        sender.conf.beat_schedule["dashboard-refresh"] = {
            "task": "directives.tasks.refresh_dashboard",
            "schedule": float(settings.DOCKET_DASHBOARD_REFRESH_SECONDS),
            "options": {"expires": float(settings.DOCKET_DASHBOARD_REFRESH_SECONDS)},
        }
