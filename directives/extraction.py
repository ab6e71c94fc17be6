"""Text out of a document's bytes: PDF (pypdf), Word .docx (python-docx), e-mail (.eml, the standard
library's parser) and plain text. Pure: bytes in, an ``Extracted`` out; nothing here touches the database.

A document whose text cannot be read (a scanned image, a damaged or encrypted file, a type with no reader)
gets ``text=""`` and a ``note`` that says why, in words a person can act on. The text kept is capped at
``MAX_TEXT_CHARS`` (the search index reads the same cap) and says so in the note when it was cut.
"""

from __future__ import annotations

import email
import email.policy
import io
import re
from dataclasses import dataclass

from docx import Document
from pypdf import PdfReader

MAX_TEXT_CHARS = 300_000

_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TEXT_TYPES = {"text/plain", "text/csv", "application/json"}
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


@dataclass(frozen=True)
class Extracted:
    text: str
    note: str = ""  # empty when the text was read whole

    @property
    def found(self) -> bool:
        return bool(self.text)


def extract_text(data: bytes, *, content_type: str, name: str = "") -> Extracted:
    """The readable text of a document of ``content_type`` (the type recorded when it was uploaded)."""
    kind = content_type.split(";")[0].strip().lower()
    lowered = name.lower()
    if kind == "application/pdf":
        raw, note = _pdf(data)
    elif kind == _WORD:
        raw, note = _docx(data), ""
    elif kind == "message/rfc822" or lowered.endswith(".eml"):
        raw, note = _eml(data), ""
    elif kind in _TEXT_TYPES or kind.startswith("text/"):
        raw, note = data.decode("utf-8", errors="replace"), ""
    elif kind.startswith("image/"):
        return Extracted("", "An image: it holds no text that can be read without OCR.")
    else:
        return Extracted("", f"No text reader for files of type {kind or 'unknown'}.")
    text = _tidy(raw)
    if not text:
        return Extracted("", note or "The file holds no readable text (a scan, or an empty document).")
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        note = f"Only the first {MAX_TEXT_CHARS:,} characters are kept for search."
    return Extracted(text, note)


def _tidy(text: str) -> str:
    text = text.replace("\x00", "")
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _pdf(data: bytes) -> tuple[str, str]:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        return "", "The PDF is encrypted: its text cannot be read without the password."
    pages = []
    for page in reader.pages:
        pages.append(page.extract_text() or "")
        if sum(len(p) for p in pages) > MAX_TEXT_CHARS:
            break
    return "\n\n".join(pages), ""


def _docx(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _eml(data: bytes) -> str:
    message = email.message_from_bytes(data, policy=email.policy.default)
    head = [f"{h}: {message[h]}" for h in ("From", "To", "Date", "Subject") if message[h]]
    body = message.get_body(preferencelist=("plain", "html"))
    content = body.get_content() if body is not None else ""
    if body is not None and body.get_content_type() == "text/html":
        content = re.sub(r"<[^>]+>", " ", content)
    return "\n".join(head) + "\n\n" + content
