"""The sweep's e-mails and timeline summaries say the level and the repeat in words, and an instant in
words (never ISO, never microseconds)."""

from __future__ import annotations

import datetime as dt
import re

from directives.choices import EntryKind
from directives.escalation.sweep import sweep
from directives.models import Notification, RemediationTask, TimelineEntry

from .conftest import DUE

H = dt.timedelta(hours=1)
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def test_the_34th_repeat_of_level_3_in_words(p0_task: RemediationTask) -> None:
    sweep(now=DUE + 4 * H + 34 * 4 * H + dt.timedelta(minutes=1, microseconds=762151))
    [message] = Notification.objects.filter(task=p0_task)
    sentence = "Level 3 of 3: 4 hours overdue (executive), 34th repeat"
    assert message.payload["subject"] == f"[Docket P0] {sentence}: Patch the jailbreak"
    assert sentence in message.payload["text"] and "due Fri 27 Nov 2026, 22:00 EST" in message.payload["text"]
    entry = TimelineEntry.objects.filter(task=p0_task, kind=EntryKind.ESCALATED).order_by("-seq").first()
    assert entry is not None
    assert f"Task 'Patch the jailbreak' escalated. {sentence}. It was 5 d 20 h overdue." in entry.summary
    for text in (message.payload["text"], message.payload["subject"], entry.summary):
        assert not ISO.search(text) and "762151" not in text
