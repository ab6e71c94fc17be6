"""The text of directives' documents: read after upload by a Celery job, for search and for reading.

Each document is claimed by raising its attempt counter in a statement of its own (committed before the
file is read), so a file that kills its worker every time is given up after ``MAX_ATTEMPTS`` and said so,
instead of being retried forever. Two workers reading the same document write the same text; the write is
conditional on the document still waiting, so the first one wins and the second changes nothing.
"""

from __future__ import annotations

from django.db.models import F

from ..extraction import extract_text
from ..models import DirectiveDocument, TextState

MAX_ATTEMPTS = 3


def extract_pending_texts(*, limit: int = 20) -> int:
    """Read the text of up to ``limit`` documents that wait for it; return how many were settled."""
    _give_up_on_killers()
    waiting = list(
        DirectiveDocument.objects.filter(text_state=TextState.PENDING, text_attempts__lt=MAX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(extract_document_text(document_id=pk) for pk in waiting)


def extract_document_text(*, document_id: int) -> bool:
    """Read one document's text, unless it no longer waits for it. True when its state was settled."""
    claimed = DirectiveDocument.objects.filter(
        pk=document_id, text_state=TextState.PENDING, text_attempts__lt=MAX_ATTEMPTS
    ).update(text_attempts=F("text_attempts") + 1)
    if not claimed:
        return False
    document = DirectiveDocument.objects.get(pk=document_id)
    try:
        with document.file.open("rb") as handle:
            data = handle.read()
        extracted = extract_text(data, content_type=document.content_type, name=document.original_name)
    except Exception as exc:  # a damaged file: say so once it has failed every attempt
        if document.text_attempts < MAX_ATTEMPTS:
            return False
        return _settle(
            document_id,
            text="",
            state=TextState.FAILED,
            note=f"The file could not be read ({type(exc).__name__}).",
        )
    state = TextState.EXTRACTED if extracted.found else TextState.NONE
    return _settle(document_id, text=extracted.text, state=state, note=extracted.note)


def _settle(document_id: int, *, text: str, state: TextState, note: str) -> bool:
    return bool(
        DirectiveDocument.objects.filter(pk=document_id, text_state=TextState.PENDING).update(
            text=text, text_state=state, text_note=note[:200]
        )
    )


def _give_up_on_killers() -> None:
    DirectiveDocument.objects.filter(text_state=TextState.PENDING, text_attempts__gte=MAX_ATTEMPTS).update(
        text_state=TextState.FAILED,
        text_note=f"Reading the file stopped its worker {MAX_ATTEMPTS} times; it was given up.",
    )
