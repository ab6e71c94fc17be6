"""Orders arriving as e-mail: the receipt instant from the company's own mail server, the sender, subject,
body and every attachment, from an .eml and from an Outlook .msg."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from directives.mail import UnreadableMessage, parse_message, receipt_from_headers

from .samples import ORDER_RECEIVED, TRUSTED, WORD, docx_bytes, order_eml, order_msg, pdf_bytes

ENTERED = dt.datetime(2026, 11, 27, 22, 21, 4, tzinfo=dt.UTC)  # 17:21:04 EST at mx1, the first trusted hop


def _attachments() -> list[tuple[str, str, bytes]]:
    return [
        ("order.pdf", "application/pdf", pdf_bytes("Block all foreign nationals.")),
        ("annex.docx", WORD, docx_bytes("Annex A")),
    ]


def test_eml_receipt_is_where_the_message_entered_the_companys_mail() -> None:
    files = _attachments()
    parsed = parse_message(order_eml(files), name="order.eml", trusted_hosts=TRUSTED)
    assert parsed.received_at == ENTERED
    assert parsed.received_from == "the Received: header added by mx1.company.example"
    assert (parsed.sender, parsed.sender_name) == ("enforcement@bis.example.gov", "BIS Enforcement")
    assert parsed.subject == "Order BIS-ORD-AI-2026-0417: block foreign nationals"
    assert parsed.body.startswith("Effective immediately")
    assert parsed.message_id == "<order-0417@bis.example.gov>"
    got = [(a.name, a.content_type, hashlib.sha256(a.data).hexdigest()) for a in parsed.attachments]
    assert got == [(n, t, hashlib.sha256(d).hexdigest()) for n, t, d in files]


def test_with_no_trusted_server_the_senders_date_is_used_and_said() -> None:
    parsed = parse_message(order_eml([]), name="order.eml", trusted_hosts=["other.example"])
    assert parsed.received_at == dt.datetime(2026, 11, 27, 22, 15, tzinfo=dt.UTC)
    assert parsed.received_from == "the sender's Date: header"


def test_a_forged_received_line_below_an_untrusted_hop_is_not_believed() -> None:
    forged = [
        ORDER_RECEIVED[0],
        "from x by relay.evil.example; Fri, 27 Nov 2026 09:00:00 -0500",
        "from y by mx1.company.example; Thu, 26 Nov 2026 09:00:00 -0500",
    ]
    when, source = receipt_from_headers(forged, None, TRUSTED)
    assert when == dt.datetime(2026, 11, 27, 22, 21, 9, tzinfo=dt.UTC)
    assert source.endswith("mail.company.example")


def test_absurd_or_missing_dates_give_no_instant() -> None:
    assert receipt_from_headers(
        ["from a by mx1.company.example; Mon, 1 Jan 1900 00:00:00 +0000"], "junk", TRUSTED
    ) == (None, "")


def test_msg_gives_the_same_reading() -> None:
    files = _attachments()
    headers = (
        "".join(f"Received: {h}\r\n" for h in ORDER_RECEIVED) + "Date: Fri, 27 Nov 2026 17:15:00 -0500\r\n"
    )
    parsed = parse_message(order_msg(files, headers), name="order.msg", trusted_hosts=TRUSTED)
    assert parsed.received_at == ENTERED
    assert parsed.subject == "Order BIS-ORD-AI-2026-0417: block foreign nationals"
    assert parsed.sender == "enforcement@bis.example.gov"
    assert parsed.body.startswith("Effective immediately")
    got = [(a.name, hashlib.sha256(a.data).hexdigest()) for a in parsed.attachments]
    assert got == [(n, hashlib.sha256(d).hexdigest()) for n, _t, d in files]


@pytest.mark.parametrize(
    "name,data", [("x.eml", b"hello"), ("x.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk")]
)
def test_what_is_not_a_message_is_refused_clearly(name: str, data: bytes) -> None:
    with pytest.raises(UnreadableMessage):
        parse_message(data, name=name, trusted_hosts=TRUSTED)
