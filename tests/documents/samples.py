"""Real documents built in memory: a PDF (fpdf2), a Word file (python-docx) and an e-mail, each holding the
words a test then looks for."""

from __future__ import annotations

import io
from email.message import EmailMessage

from docx import Document
from fpdf import FPDF

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def pdf_bytes(*paragraphs: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for text in paragraphs:
        pdf.multi_cell(0, 6, text)
        pdf.ln(2)
    return bytes(pdf.output())


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def eml_bytes(subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "enforcement@bis.example.gov"
    message["To"] = "legal@company.example"
    message["Subject"] = subject
    message["Date"] = "Fri, 27 Nov 2026 17:21:00 -0500"
    message.set_content(body)
    return message.as_bytes()


ORDER_RECEIVED = [  # newest first, as servers add them: the company's two hops, then the sender's outbound
    "from mx1.company.example (mx1.company.example [10.0.0.5]) by mail.company.example with LMTP; "
    "Fri, 27 Nov 2026 17:21:09 -0500",
    "from out.bis.example.gov (out.bis.example.gov [192.0.2.7]) by mx1.company.example with ESMTPS id 4F2; "
    "Fri, 27 Nov 2026 17:21:04 -0500",
    "from desk.bis.example.gov by out.bis.example.gov with ESMTP; Fri, 27 Nov 2026 17:20:31 -0500",
]
TRUSTED = ["mx1.company.example", "mail.company.example"]


def order_eml(attachments: list[tuple[str, str, bytes]], received: list[str] = ORDER_RECEIVED) -> bytes:
    message = EmailMessage()
    for header in received:
        message["Received"] = header
    message["From"] = "BIS Enforcement <enforcement@bis.example.gov>"
    message["To"] = "legal@company.example"
    message["Subject"] = "Order BIS-ORD-AI-2026-0417: block foreign nationals"
    message["Date"] = "Fri, 27 Nov 2026 17:15:00 -0500"
    message["Message-ID"] = "<order-0417@bis.example.gov>"
    message.set_content("Effective immediately, block all foreign nationals from Mythos and Fable 5.")
    for name, content_type, data in attachments:
        main, sub = content_type.split("/", 1)
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


def order_msg(attachments: list[tuple[str, str, bytes]], transport_headers: str) -> bytes:
    """An Outlook message, written as [MS-OXMSG] lays one out (an OLE compound file of property streams),
    with extract-msg's OLE writer: subject, body, sender, transport headers and attachments."""
    from extract_msg.ole_writer import OleWriter

    def text(value: str) -> bytes:
        return value.encode("utf-16-le")

    def properties(reserved: int) -> bytes:
        return b"\x00" * reserved  # the fixed header of a property stream; no fixed-length properties

    writer = OleWriter()
    writer.addEntry("__properties_version1.0", properties(32))
    writer.addEntry("__nameid_version1.0", storage=True)  # the named-property map: present, empty
    for stream in ("00020102", "00030102", "00040102"):  # GUIDs, entries, strings
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for tag, value in {
        "0037001F": "Order BIS-ORD-AI-2026-0417: block foreign nationals",  # subject
        "1000001F": "Effective immediately, block all foreign nationals from Mythos and Fable 5.",  # body
        "0C1F001F": "enforcement@bis.example.gov",  # sender's address
        "0C1A001F": "BIS Enforcement",  # sender's name
        "007D001F": transport_headers,  # the message's Internet headers, Received: lines included
        "1035001F": "<order-0417-msg@bis.example.gov>",  # Message-ID
        "001A001F": "IPM.Note",  # message class
    }.items():
        writer.addEntry(f"__substg1.0_{tag}", text(value))
    for i, (name, content_type, data) in enumerate(attachments):
        storage = f"__attach_version1.0_#{i:08X}"
        writer.addEntry(storage, storage=True)
        writer.addEntry(f"{storage}/__properties_version1.0", properties(8))
        writer.addEntry(f"{storage}/__substg1.0_3707001F", text(name))  # long file name
        writer.addEntry(f"{storage}/__substg1.0_370E001F", text(content_type))  # MIME type
        writer.addEntry(f"{storage}/__substg1.0_37010102", data)  # the file
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
