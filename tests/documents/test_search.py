"""Search as legal uses it: the words of a directive, of a document's text (once read), of a task and of a
timeline entry a person wrote, word forms included, each hit with its passage highlighted; the directive
list and the API find the same directives. Runs on both backends (SQLite FTS5, PostgreSQL tsvector)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives.choices import Role
from directives.models import DirectiveDocument, TextState
from directives.selectors.search import search
from directives.services import directives as directive_services
from directives.services import documents as document_services
from directives.services import tasks as task_services
from tests.factories import UserFactory, make_directive, make_task

from .samples import WORD, docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def _passage(hit: Any) -> str:
    return "".join(f"[{s.text}]" if s.marked else s.text for s in hit.passage)


def _upload(directive: Any, name: str, data: bytes, content_type: str) -> DirectiveDocument:
    return directive_services.add_document(
        directive=directive,
        upload=SimpleUploadedFile(name, data, content_type=content_type),
        actor=directive.created_by,
        now=directive.received_at + dt.timedelta(hours=1),
    )


def test_word_forms_match_and_the_passage_is_marked() -> None:
    directive = make_directive(
        title="Order", summary="The company shall block all foreign nationals from Mythos."
    )
    results = search("blocking nationals")
    assert results.total == 1
    (hit,) = results.hits
    assert (hit.kind, hit.object_id, hit.directive) == ("directive", directive.pk, directive)
    assert "[block] all foreign [nationals] from Mythos" in _passage(hit)


def test_a_word_only_inside_a_pdf_finds_its_directive_once_the_text_is_read() -> None:
    directive = make_directive(reference="BIS-0417")
    document = _upload(
        directive, "letter.pdf", pdf_bytes("Annex: the quarantined checkpoint."), "application/pdf"
    )
    assert search("quarantined").total == 0  # not read yet
    assert document_services.extract_pending_texts() == 1
    document.refresh_from_db()
    assert document.text_state == TextState.EXTRACTED
    (hit,) = search("quarantine").hits
    assert (hit.kind, hit.object_id, hit.title) == ("document", document.pk, "letter.pdf")
    assert "[quarantined] checkpoint" in _passage(hit)


def test_word_documents_tasks_and_people_entries_are_found_system_entries_are_not() -> None:
    directive = make_directive()
    _upload(directive, "plan.docx", docx_bytes("Rotate the tokenizer keys"), WORD)
    document_services.extract_pending_texts()
    task = make_task(directive, title="Retrain the refusal classifier", description="After the tokenizer fix")
    kinds = {h.kind for h in search("tokenizer").hits}
    assert kinds == {"document", "task"}
    assert {h.object_id for h in search("classifier").hits if h.kind == "task"} == {task.pk}
    # The receipt entry was written by legal (a person): found. Nothing the system wrote is indexed.
    assert any(h.kind == "entry" for h in search("received").hits)


def test_a_changed_task_is_found_by_its_new_words_only() -> None:
    directive = make_directive()
    task = make_task(directive, title="Patch the guardrail")
    legal = directive.created_by
    assert search("hardened").total == 0
    task_services.resolve_task(
        task=task,
        resolution="Shipped the hardened prompt filter",
        actor=legal,
        now=directive.received_at + dt.timedelta(hours=3),
    )
    assert [h.kind for h in search("hardened").hits if h.kind == "task"] == ["task"]


def test_punctuation_and_empty_queries_are_no_error() -> None:
    make_directive()
    for text in ["", "!!!", '"', "AND OR NOT", "*", "a:b", "NEAR(x y)", "\u0000", "x" * 10_000]:
        assert search(text).total >= 0


def test_a_document_that_cannot_be_read_says_so() -> None:
    directive = make_directive()
    broken = _upload(directive, "broken.pdf", b"%PDF-1.4 this is not a PDF", "application/pdf")
    for _ in range(document_services.MAX_ATTEMPTS):
        document_services.extract_pending_texts()
    broken.refresh_from_db()
    assert broken.text_state == TextState.FAILED
    assert broken.text_note.startswith("The file could not be read")


def test_the_directive_list_page_and_the_api_find_the_same_directives(client: Any) -> None:
    found = make_directive(reference="REF-1", summary="Suspend every audience of Fable 5.")
    make_directive(reference="REF-2", summary="Voluntary model review remains in effect.")
    viewer = UserFactory(username="exec", role=Role.EXECUTIVE)
    client.force_login(viewer)
    page = client.get(reverse("directive_list"), {"q": "suspending"}).content.decode()
    assert f">{found.reference}</a>" in page and ">REF-2</a>" not in page
    api = client.get("/api/v1/directives/", {"search": "suspending"}).json()
    assert [d["id"] for d in api["results"]] == [found.pk]
    hits = client.get("/api/v1/search/", {"q": "suspending"}).json()
    assert hits["count"] == 1
    assert hits["results"][0]["directive"]["reference"] == found.reference
    assert {"text": "Suspend", "marked": True} in hits["results"][0]["passage"]


def test_the_search_page_shows_hits_with_marked_passages(client: Any) -> None:
    directive = make_directive(title="Order", summary="Block all foreign nationals from Mythos & Fable.")
    client.force_login(UserFactory(username="eng", role=Role.ENGINEERING))
    page = client.get(reverse("search"), {"q": "blocked"}).content.decode()
    assert "<mark>Block</mark> all foreign nationals from Mythos &amp; Fable" in page
    assert reverse("directive_detail", args=[directive.pk]) in page
    empty = client.get(reverse("search"), {"q": "zebra"}).content.decode()
    assert "Nothing matches “zebra”." in empty


def test_the_api_refuses_a_bad_page_with_a_400(client: Any) -> None:
    client.force_login(UserFactory(username="aud", role=Role.AUDITOR))
    response = client.get("/api/v1/search/", {"q": "x", "page": "0"})
    assert response.status_code == 400
    assert "page" in str(response.json())


def test_a_hyphenated_reference_is_found_whole_or_in_part(client: Any) -> None:
    """PostgreSQL's parser reads "-0412" in "BIS-2026-0412" as a signed number: the reference is still
    found by what a person types, on the search page, the API's search and the directive list."""
    found = make_directive(reference="BIS-2026-0412", title="Order", summary="Block foreign access.")
    demo = make_directive(reference="BIS-ORD-AI-2026-0417", title="Order", summary="Suspend access.")
    make_directive(reference="BIS-2025-0999", title="Order", summary="Unrelated.")
    for text, expected in [
        ("BIS-2026-0412", {found}),
        ("bis 2026 0412", {found}),
        ("2026-0412", {found}),
        ("0412", {found}),
        ("BIS-ORD-AI-2026-0417", {demo}),
        ("AI-2026-0417", {demo}),
        ("2026", {found, demo}),
    ]:
        assert {h.directive for h in search(text).hits} == expected, text
    (hit,) = [h for h in search("0412").hits if h.kind == "directive"]
    assert any(s.marked and "0412" in s.text for s in hit.passage)
    client.force_login(UserFactory(username="aud", role=Role.AUDITOR))
    page = client.get(reverse("search"), {"q": "BIS-2026-0412"}).content.decode()
    assert reverse("directive_detail", args=[found.pk]) in page
    assert "Nothing matches" not in page
    api = client.get("/api/v1/search/", {"q": "BIS-2026-0412"}).json()
    assert {r["directive"]["reference"] for r in api["results"]} == {"BIS-2026-0412"}
    listed = client.get("/api/v1/directives/", {"search": "BIS-ORD-AI-2026-0417"}).json()
    assert [d["id"] for d in listed["results"]] == [demo.pk]
    listing = client.get(reverse("directive_list"), {"q": "2026-0412"}).content.decode()
    assert ">BIS-2026-0412</a>" in listing and ">BIS-ORD-AI-2026-0417</a>" not in listing
