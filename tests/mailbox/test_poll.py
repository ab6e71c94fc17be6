"""The intake mailbox against a real IMAP server (a private Dovecot): a message becomes one intake item,
and is flagged seen only once that item is committed; polling again adds nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from directives.models import IntakeItem, IntakeState
from directives.services import mailbox
from tests.documents.samples import TRUSTED, eml_bytes, order_eml

from .dovecot import Dovecot

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 27, 22, 30, tzinfo=dt.UTC)


def test_one_message_becomes_one_intake_item_then_seen(dovecot: Dovecot, settings: Any) -> None:
    settings.DOCKET_TRUSTED_MAIL_HOSTS = TRUSTED
    data = order_eml([])
    dovecot.deliver(data)
    assert dovecot.unseen() == 1

    result = mailbox.poll_mailbox(now=NOW)

    assert (result.read, result.queued) == (1, 1)
    item = IntakeItem.objects.get()
    assert item.message_id == "<order-0417@bis.example.gov>"
    assert item.sender == "enforcement@bis.example.gov"
    assert item.subject == "Order BIS-ORD-AI-2026-0417: block foreign nationals"
    assert item.received_at == dt.datetime(2026, 11, 27, 22, 21, 4, tzinfo=dt.UTC)
    assert item.received_from == "the Received: header added by mx1.company.example"
    assert item.state == IntakeState.WAITING
    assert item.mailbox == "intake@127.0.0.1/INBOX"
    assert item.sha256 == hashlib.sha256(mailbox.message_bytes(item)).hexdigest()
    assert b"block all foreign nationals" in mailbox.message_bytes(item)
    assert dovecot.unseen() == 0


def test_the_message_is_not_seen_until_its_item_is_committed(dovecot: Dovecot, monkeypatch: Any) -> None:
    dovecot.deliver(eml_bytes("Order 1", "Block it."))
    seen_at_commit: list[int] = []
    queue = mailbox.queue_message

    def queue_and_look(data: bytes, **kwargs: Any) -> bool:
        inserted = queue(data, **kwargs)
        seen_at_commit.append(len(dovecot.connect().uids("SEEN")))
        return inserted

    monkeypatch.setattr(mailbox, "queue_message", queue_and_look)
    mailbox.poll_mailbox(now=NOW)
    assert seen_at_commit == [0]
    assert dovecot.unseen() == 0


def test_a_failed_insert_leaves_the_message_unseen(dovecot: Dovecot, monkeypatch: Any) -> None:
    dovecot.deliver(eml_bytes("Order 1", "Block it."))

    def refuse(*args: Any, **kwargs: Any) -> bool:
        raise RuntimeError("database gone")

    monkeypatch.setattr(mailbox, "queue_message", refuse)
    with pytest.raises(RuntimeError):
        mailbox.poll_mailbox(now=NOW)
    assert dovecot.unseen() == 1
    monkeypatch.undo()
    assert mailbox.poll_mailbox(now=NOW).queued == 1
    assert dovecot.unseen() == 0


def test_polling_again_adds_nothing(dovecot: Dovecot) -> None:
    first, second = eml_bytes("Order 1", "Block it."), eml_bytes("Order 2", "Stop it.")
    dovecot.deliver(first, second)
    assert mailbox.poll_mailbox(now=NOW).queued == 2
    assert mailbox.poll_mailbox(now=NOW).read == 0
    # The same message read again (as after a worker died before flagging it): no second row.
    dovecot.deliver(first)
    again = mailbox.poll_mailbox(now=NOW)
    assert (again.read, again.queued, again.already) == (1, 0, 1)
    assert IntakeItem.objects.count() == 2
    assert dovecot.unseen() == 0


def test_a_message_without_message_id_is_keyed_by_its_hash(dovecot: Dovecot) -> None:
    data = eml_bytes("No id", "Block it.")
    assert b"Message-ID" not in data
    dovecot.deliver(data, data)
    result = mailbox.poll_mailbox(now=NOW)
    assert (result.read, result.queued) == (2, 1)
    item = IntakeItem.objects.get()
    assert item.message_id.startswith("sha256:")


def test_an_unreadable_message_is_queued_not_dropped(dovecot: Dovecot) -> None:
    dovecot.deliver(b"Message-ID: <junk@x>\r\n\r\nnot much of an e-mail\r\n")
    assert mailbox.poll_mailbox(now=NOW).queued == 1
    item = IntakeItem.objects.get()
    assert (item.message_id, item.sender, item.subject) == ("sha256:" + item.sha256, "", "")


def test_off_without_a_host(settings: Any) -> None:
    settings.DOCKET_INTAKE_IMAP_HOST = ""
    assert mailbox.poll_mailbox(now=NOW) == mailbox.PollResult()


def test_beat_polls_only_a_configured_mailbox(settings: Any) -> None:
    from compliance.celery import _schedule, app

    settings.DOCKET_INTAKE_IMAP_HOST = ""
    _schedule(app)
    assert "intake-mailbox" not in app.conf.beat_schedule
    settings.DOCKET_INTAKE_IMAP_HOST = "imap.company.example"
    settings.DOCKET_INTAKE_IMAP_INTERVAL_SECONDS = 45
    _schedule(app)
    entry = app.conf.beat_schedule["intake-mailbox"]
    assert (entry["task"], entry["schedule"]) == ("directives.tasks.poll_mailbox", 45.0)
    settings.DOCKET_INTAKE_IMAP_HOST = ""
    _schedule(app)


def test_the_task_queues_the_messages(dovecot: Dovecot) -> None:
    from directives.tasks import poll_mailbox

    dovecot.deliver(eml_bytes("Order 1", "Block it."))
    assert poll_mailbox.apply().get() == 1
    assert IntakeItem.objects.count() == 1


def test_a_message_that_would_stop_every_poll_is_queued_instead(dovecot: Dovecot, monkeypatch: Any) -> None:
    """Neither a parser failure nor a NUL in a header (PostgreSQL refuses it) may block the messages after it."""
    first = eml_bytes("Order 1", "Block it.").replace(b"Subject: Order 1", b"Subject: Order\x00 1")
    dovecot.deliver(first, eml_bytes("Order 2", "Stop it."))
    assert mailbox.poll_mailbox(now=NOW).queued == 2
    subjects = list(IntakeItem.objects.order_by("pk").values_list("subject", flat=True))
    assert len(subjects) == 2 and subjects[1] == "Order 2"
    assert subjects[0].startswith("Order") and "\x00" not in subjects[0]

    def choke(*args: Any, **kwargs: Any) -> Any:
        raise IndexError("the parser's own bug")

    monkeypatch.setattr(mailbox, "parse_message", choke)
    dovecot.deliver(eml_bytes("Order 3", "Halt it."))
    assert mailbox.poll_mailbox(now=NOW).queued == 1
    assert IntakeItem.objects.filter(subject="").count() == 1
    assert dovecot.unseen() == 0
