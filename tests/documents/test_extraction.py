"""Text read out of the documents legal uploads: PDF, Word, e-mail, plain text; and what a document with no
readable text says instead."""

from __future__ import annotations

from directives.extraction import MAX_TEXT_CHARS, extract_text

from .samples import WORD, docx_bytes, eml_bytes, pdf_bytes


def test_pdf_text_is_read() -> None:
    data = pdf_bytes(
        "Order of the Bureau of Industry and Security.", "Block all foreign nationals from Mythos."
    )
    got = extract_text(data, content_type="application/pdf", name="order.pdf")
    assert "Block all foreign nationals from Mythos." in got.text
    assert got.found and got.note == ""


def test_word_text_is_read_with_tables() -> None:
    got = extract_text(
        docx_bytes("Annex A: remediation plan", "Quarantine the classifier"), content_type=WORD
    )
    assert got.text.splitlines() == ["Annex A: remediation plan", "Quarantine the classifier"]


def test_email_text_keeps_its_header_lines_and_body() -> None:
    got = extract_text(eml_bytes("Order 0417", "Effective immediately."), content_type="message/rfc822")
    assert "Subject: Order 0417" in got.text
    assert "From: enforcement@bis.example.gov" in got.text
    assert got.text.endswith("Effective immediately.")


def test_plain_text_with_invalid_bytes_is_read_not_refused() -> None:
    got = extract_text(b"caf\xe9 \x00 order\r\n\r\n\r\nline two", content_type="text/plain")
    assert got.text == "caf\ufffd order\n\nline two"


def test_an_image_says_it_needs_ocr() -> None:
    got = extract_text(b"\x89PNG\r\n\x1a\n", content_type="image/png")
    assert not got.found and "OCR" in got.note


def test_a_pdf_without_text_says_so() -> None:
    got = extract_text(pdf_bytes(), content_type="application/pdf")
    assert got.text == "" and "no readable text" in got.note


def test_long_text_is_cut_and_says_so() -> None:
    got = extract_text(b"word " * (MAX_TEXT_CHARS // 4), content_type="text/plain")
    assert len(got.text) == MAX_TEXT_CHARS
    assert "first 300,000 characters" in got.note
