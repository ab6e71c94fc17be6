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
