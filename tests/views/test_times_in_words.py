"""Times shown to people are words ("Fri 27 Nov 2026, 17:48 EST · 22:48 UTC"), ISO 8601 only inside
``<time datetime>``: the access matrix's "since" (directive page and dashboard), the sweep tile, a sweep's
name, checkpoint and verification messages. (The stale task form: tests/views/test_tasks_views.py.)"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from directives.models import SweepRun
from directives.services.checkpoints import ChainHead, Checkpoint, taken_at, verify_checkpoint
from tests.selectors.world import NOW, World

pytestmark = pytest.mark.django_db
ISO_TEXT = re.compile(r">[^<]*\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[^<]*<")


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def test_the_directive_page_says_since_when_access_changed_in_words(
    client: Any, world: World, legal: Any
) -> None:
    client.force_login(legal)
    html = client.get(reverse("directive_detail", args=[world.order.pk])).content.decode()
    assert 'since <time datetime="2026-11-27T22:48:00Z">Fri 27 Nov 2026, 17:48 EST · 22:48 UTC</time>' in html
    assert not ISO_TEXT.search(html), ISO_TEXT.search(html)


def test_the_dashboard_says_since_when_in_words(client: Any, world: World, executive: Any) -> None:
    client.force_login(executive)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'since <time datetime="2026-11-27T22:48:00Z">Fri 27 Nov 2026, 17:48 EST · 22:48 UTC</time>' in html
    assert not ISO_TEXT.search(html), ISO_TEXT.search(html)


def test_a_sweep_is_named_in_words() -> None:
    run = SweepRun(
        started_at=dt.datetime(2026, 11, 27, 22, 21, 4, 512, tzinfo=dt.UTC),
        finished_at=dt.datetime(2026, 11, 27, 22, 21, 5, 762151, tzinfo=dt.UTC),
        duration_ms=12,
    )
    assert str(run) == "sweep at Fri 27 Nov 2026, 17:21:05 EST · 22:21:05 UTC (12 ms)"


def test_checkpoint_messages_say_when_in_words() -> None:
    checkpoint = Checkpoint(
        created_at=dt.datetime(2026, 11, 27, 22, 21, 5, 762151, tzinfo=dt.UTC),
        heads=(ChainHead(directive_id=999_999, seq=3, hash="0" * 64, trail=()),),
        path="checkpoints/x.json",
    )
    assert taken_at(checkpoint) == "Fri 27 Nov 2026, 17:21:05 EST · 22:21:05 UTC"
    problems = verify_checkpoint(checkpoint)
    assert problems and "checkpoint of Fri 27 Nov 2026, 17:21:05 EST · 22:21:05 UTC" in str(problems[0])
