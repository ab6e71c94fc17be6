"""The watched intake mailbox: beat polls an IMAP folder and each new message becomes a row of the intake
queue (``IntakeItem``) that legal logs as a directive or dismisses.

Nothing is lost and nothing is queued twice, whenever the worker dies:
- messages are read without touching their flags (``BODY.PEEK``), so reading one marks nothing;
- each message's row is inserted and COMMITTED before the message is flagged ``\\Seen`` on the server;
- the row is unique by Message-ID (a message without one: by the hash of its bytes), so a message read
  again, because the worker died between the commit and the flag, adds nothing and is then flagged.
A message that cannot be parsed is queued too (sender and subject empty), never dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError, transaction
from imap_tools import BaseMailBox, MailBox, MailBoxUnencrypted, MailMessageFlags

from ..errors import DomainError, InvalidTransition
from ..mail import EML_TYPE, ParsedMessage, UnreadableMessage, parse_message
from ..models import Directive, IntakeItem, IntakeState
from . import intake as intake_services
from .common import check_upload, check_version, conditional_update, require_text

log = logging.getLogger(__name__)
MAX_REASON_CHARS = 500


@dataclass(frozen=True)
class PollResult:
    read: int = 0  # unseen messages read from the server
    queued: int = 0  # new intake items
    already: int = 0  # read again after a poll that died before flagging them: no new row


def configured() -> bool:
    return bool(settings.DOCKET_INTAKE_IMAP_HOST)


def mailbox_label() -> str:
    return f"{settings.DOCKET_INTAKE_IMAP_USER}@{settings.DOCKET_INTAKE_IMAP_HOST}/{settings.DOCKET_INTAKE_IMAP_FOLDER}"


def connect() -> BaseMailBox:
    """A logged-in connection to the configured folder (IMAPS unless DOCKET_INTAKE_IMAP_SSL is false)."""
    kind = MailBox if settings.DOCKET_INTAKE_IMAP_SSL else MailBoxUnencrypted
    box = kind(
        settings.DOCKET_INTAKE_IMAP_HOST,
        settings.DOCKET_INTAKE_IMAP_PORT,
        timeout=settings.DOCKET_INTAKE_IMAP_TIMEOUT_SECONDS,
    )
    return box.login(
        settings.DOCKET_INTAKE_IMAP_USER,
        settings.DOCKET_INTAKE_IMAP_PASSWORD,
        initial_folder=settings.DOCKET_INTAKE_IMAP_FOLDER,
    )


def poll_mailbox(*, now: dt.datetime, limit: int | None = None) -> PollResult:
    """Queue every unseen message of the configured folder (at most ``limit``, by default
    DOCKET_INTAKE_IMAP_BATCH_SIZE); each is flagged seen only after its row is committed."""
    if not configured():
        return PollResult()
    limit = settings.DOCKET_INTAKE_IMAP_BATCH_SIZE if limit is None else limit
    read = queued = 0
    with connect() as box:
        uids = list(box.uids("UNSEEN"))[:limit]
        for uid in uids:
            data = _fetch_peek(box, uid)
            if data is None:  # expunged since the search
                continue
            read += 1
            queued += queue_message(data, uid=uid, mailbox=mailbox_label(), now=now)
            # Only now, the row committed: a worker killed before this line reads the message again.
            box.flag(uid, MailMessageFlags.SEEN, True)
    return PollResult(read=read, queued=queued, already=read - queued)


def _fetch_peek(box: BaseMailBox, uid: str) -> bytes | None:
    """The message's exact bytes, read without setting ``\\Seen``."""
    status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _text(value: str, limit: int) -> str:
    """A header's text as it can be stored: no NUL (PostgreSQL refuses it in text), at most ``limit``."""
    return value.replace("\x00", "")[:limit]


def message_key(data: bytes, parsed: ParsedMessage | None) -> str:
    """The message's identity in the queue: its Message-ID, else the SHA-256 of its bytes."""
    message_id = " ".join(_text(parsed.message_id if parsed else "", 10_000).split())
    if message_id and len(message_id) <= 255:
        return message_id
    return "sha256:" + hashlib.sha256(data).hexdigest()


def queue_message(data: bytes, *, uid: str, mailbox: str, now: dt.datetime) -> bool:
    """Insert the message's intake item unless its Message-ID is queued already; True when inserted.
    Commits before returning (the caller flags the message seen only afterwards)."""
    try:
        parsed: ParsedMessage | None = parse_message(
            data, name="message.eml", trusted_hosts=settings.DOCKET_TRUSTED_MAIL_HOSTS
        )
    except UnreadableMessage:
        parsed = None
    except Exception:  # a message the e-mail parser chokes on is queued (unread), never retried forever
        log.warning("intake message could not be parsed", exc_info=True)
        parsed = None
    key = message_key(data, parsed)
    if IntakeItem.objects.filter(message_id=key).exists():
        return False
    sha256 = hashlib.sha256(data).hexdigest()
    item = IntakeItem(
        message_id=key,
        mailbox=_text(mailbox, 255),
        uid=_text(str(uid), 32),
        sender=_text(parsed.sender if parsed else "", 254),
        sender_name=_text(parsed.sender_name if parsed else "", 255),
        subject=_text(parsed.subject if parsed else "", 300),
        received_at=parsed.received_at if parsed else None,
        received_from=_text(parsed.received_from if parsed else "", 200),
        size=len(data),
        sha256=sha256,
        created_at=now,
    )
    item.message.save(sha256, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # another poller queued it between the check and the insert
        item.message.delete(save=False)
        return False
    return True


def message_bytes(item: IntakeItem) -> bytes:
    with item.message.open("rb") as handle:
        return bytes(handle.read())


def message_documents(item: IntakeItem) -> list[UploadedFile]:
    """The directive's documents from the queued message, as the intake page stages them: the message
    itself and each of its attachments of an accepted type and size (the others are left out; a message the
    parser chokes on is kept alone). Raises ``UnreadableMessage`` when its stored copy cannot be read."""
    try:
        data = message_bytes(item)
    except OSError as exc:
        raise UnreadableMessage("its stored copy is missing or unreadable") from exc
    files = [SimpleUploadedFile(f"mailbox-{item.pk}.eml", data, content_type=EML_TYPE)]
    try:
        parsed = parse_message(
            data, name=f"mailbox-{item.pk}.eml", trusted_hosts=settings.DOCKET_TRUSTED_MAIL_HOSTS
        )
    except Exception:  # queued unread (queue_message): the message itself is still the order as received
        log.warning("intake message %s could not be parsed for its attachments", item.pk, exc_info=True)
        parsed = None
    if parsed is not None:
        files += [SimpleUploadedFile(a.name, a.data, content_type=a.content_type) for a in parsed.attachments]
    kept: list[UploadedFile] = []
    for upload in files:
        try:
            check_upload(upload)
        except DomainError:
            continue
        upload.seek(0)
        kept.append(upload)
    return kept


def require_waiting(item: IntakeItem) -> None:
    if item.state != IntakeState.WAITING:
        raise InvalidTransition(f"This message was {item.get_state_display().lower()} already.")


@transaction.atomic
def dismiss_item(
    *, item: IntakeItem, reason: Any, actor: Any, now: dt.datetime, expected_version: int | None = None
) -> IntakeItem:
    """Take a message off the queue without logging it (not an order, a duplicate), saying why."""
    text = require_text(reason, field="reason", max_length=MAX_REASON_CHARS)
    require_waiting(item)
    return conditional_update(
        item,
        expected_version=expected_version,
        changes={
            "state": IntakeState.DISMISSED,
            "dismissed_reason": text,
            "closed_by": actor,
            "closed_at": now,
        },
    )


def mark_logged(
    *,
    item: IntakeItem,
    directive: Directive,
    actor: Any,
    now: dt.datetime,
    expected_version: int | None = None,
) -> IntakeItem:
    """The message was logged as ``directive`` (called inside the intake's transaction)."""
    require_waiting(item)
    return conditional_update(
        item,
        expected_version=expected_version,
        changes={"state": IntakeState.LOGGED, "directive": directive, "closed_by": actor, "closed_at": now},
    )


def log_item(
    *, item: IntakeItem, expected_version: int | None, actor: Any, now: dt.datetime, **intake: Any
) -> Directive:
    """Log the message as a directive (``services.intake.log_intake`` with the reviewed form's values) and
    close its queue row with it, in one transaction: a message logged twice at once is refused the second
    time (409), and nothing of that second directive is kept."""
    with transaction.atomic():
        locked = IntakeItem.objects.select_for_update().get(pk=item.pk)
        require_waiting(locked)
        check_version(locked, expected_version=expected_version)
        directive = intake_services.log_intake(actor=actor, now=now, **intake)
        mark_logged(item=locked, directive=directive, actor=actor, now=now)
    return directive
