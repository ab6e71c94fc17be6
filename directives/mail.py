"""An order as it arrives: an e-mail (``.eml``) or an Outlook message (``.msg``), read into what intake
needs. Pure: bytes in, a ``ParsedMessage`` out.

The receipt instant is the company's own: the date its mail server stamped when the message reached it.
``Received:`` headers are added by each server on the way, the newest first; walking down from the top, the
last of the headers added ``by`` one of the trusted receiving hosts (``DOCKET_TRUSTED_MAIL_HOSTS``) is where
the message entered the company's mail system, and its date is the receipt. With no such header, the
sender's ``Date:`` is used, and the parse says which header the instant came from, so the page can say so.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from typing import Any

import extract_msg

from . import instants

EML_TYPE = "message/rfc822"
MSG_TYPE = "application/vnd.ms-outlook"
MAX_SUMMARY_CHARS = 20_000
_BY_HOST = re.compile(r"\bby\s+\[?([A-Za-z0-9.\-:]+)\]?", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


class UnreadableMessage(ValueError):
    """The bytes are not an e-mail or Outlook message this reader understands."""


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str
    sender: str  # the address only, lower-cased
    sender_name: str
    subject: str
    body: str
    received_at: dt.datetime | None
    received_from: str  # which header gave received_at, in words ("" when none did)
    attachments: list[Attachment] = field(default_factory=list)


def is_message(name: str, content_type: str) -> bool:
    lowered = name.lower()
    return lowered.endswith((".eml", ".msg")) or content_type in (EML_TYPE, MSG_TYPE)


def parse_message(data: bytes, *, name: str, trusted_hosts: Sequence[str]) -> ParsedMessage:
    """Read ``data`` (an ``.msg`` when its name or its first bytes say so, else an ``.eml``)."""
    if name.lower().endswith(".msg") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _parse_msg(data, trusted_hosts)
    return _parse_eml(data, trusted_hosts)


def receipt_from_headers(
    received: Sequence[str], date: str | None, trusted_hosts: Sequence[str]
) -> tuple[dt.datetime | None, str]:
    """The receipt instant and the header it came from (see the module's docstring)."""
    trusted = {h.lower().rstrip(".") for h in trusted_hosts if h}
    chosen: tuple[dt.datetime, str] | None = None
    for header in received:  # newest first
        match = _BY_HOST.search(header)
        host = match.group(1).lower().rstrip(".") if match else ""
        if host not in trusted:
            break
        when = _date(header.rsplit(";", 1)[-1]) if ";" in header else None
        if when is not None:
            chosen = (when, f"the Received: header added by {host}")
    if chosen is not None:
        return chosen
    when = _date(date or "")
    return (when, "the sender's Date: header") if when is not None else (None, "")


def _date(text: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(" ".join(text.split()))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None or not instants.in_window(when):
        return None  # no zone, or outside the window every instant must be in: as if it were missing
    return when.astimezone(dt.UTC)


def _parse_eml(data: bytes, trusted_hosts: Sequence[str]) -> ParsedMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not (message["From"] or message["Subject"]):
        raise UnreadableMessage("The file is not an e-mail: it has neither a From: nor a Subject: header.")
    received, source = receipt_from_headers(
        [str(h) for h in message.get_all("Received") or []], message["Date"], trusted_hosts
    )
    name, address = email.utils.parseaddr(str(message["From"] or ""))
    return ParsedMessage(
        message_id=str(message["Message-ID"] or "").strip(),
        sender=address.lower(),
        sender_name=name,
        subject=_one_line(str(message["Subject"] or "")),
        body=_body(message),
        received_at=received,
        received_from=source,
        attachments=[
            Attachment(
                name=part.get_filename() or f"attachment-{i + 1}",
                content_type=part.get_content_type(),
                data=_payload(part),
            )
            for i, part in enumerate(message.iter_attachments())
        ],
    )


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = str(part.get_content())
    if part.get_content_type() == "text/html":
        content = _TAGS.sub(" ", content)
    return content.strip()[:MAX_SUMMARY_CHARS]


def _parse_msg(data: bytes, trusted_hosts: Sequence[str]) -> ParsedMessage:
    try:
        msg: Any = extract_msg.openMsg(data)  # a Message: its properties are not in extract-msg's types
    except Exception as exc:  # extract-msg raises many kinds for a file that is not an .msg
        raise UnreadableMessage(f"The file is not an Outlook message ({type(exc).__name__}).") from exc
    try:
        header: Message | None = msg.header
        received = [str(h) for h in (header.get_all("Received") or [])] if header is not None else []
        date_header = header["Date"] if header is not None else None
        when, source = receipt_from_headers(received, date_header, trusted_hosts)
        if when is None and getattr(msg, "date", None) is not None:
            sent = msg.date
            if sent.tzinfo is not None:
                when, source = sent.astimezone(dt.UTC), "the message's sent time"
        name, address = email.utils.parseaddr(str(msg.sender or ""))
        if "@" not in address:  # no From: in its headers: the sender's name and address properties
            name = str(msg.sender or "")
            address = str(msg.getStringStream("__substg1.0_0C1F") or "")
        attachments = [
            Attachment(
                name=str(a.longFilename or a.shortFilename or f"attachment-{i + 1}"),
                content_type=str(getattr(a, "mimetype", None) or "application/octet-stream"),
                data=a.data if isinstance(a.data, bytes) else b"",
            )
            for i, a in enumerate(msg.attachments)
        ]
        return ParsedMessage(
            message_id=str(msg.messageId or "").strip(),
            sender=address.lower(),
            sender_name=name,
            subject=_one_line(str(msg.subject or "")),
            body=str(msg.body or "").strip()[:MAX_SUMMARY_CHARS],
            received_at=when,
            received_from=source,
            attachments=attachments,
        )
    finally:
        msg.close()


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]
