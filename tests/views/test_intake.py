"""Logging an incoming order: the form, its DST-aware receipt time, documents, products, obligations,
the live due preview, and the all-or-nothing submit."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives.choices import DeadlineRule, EntryKind
from directives.models import Directive, DirectiveDocument, TimelineEntry
from tests.factories import AuthorityFactory, make_directive, make_product

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 22, 40, tzinfo=dt.UTC)  # Friday 17:40 ET
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def commerce(db: Any) -> Any:
    return AuthorityFactory(name="U.S. Department of Commerce", short_name="Commerce (BIS)")


def _post_data(authority: Any, products: list[Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "authority": authority.pk,
        "reference": "BIS-ORD-AI-2026-0417",
        "title": "Order to block foreign nationals",
        "kind": "export_control",
        "received_date": "2026-11-27",
        "received_time": "17:21",
        "received_offset": "",
        "delivery_channel": "email",
        "summary": "Block all foreign nationals from Mythos and Fable 5.",
        "full_text": "",
        "products-TOTAL_FORMS": str(len(products)),
        "products-INITIAL_FORMS": "0",
        "products-MIN_NUM_FORMS": "0",
        "products-MAX_NUM_FORMS": "1000",
        "obligations-TOTAL_FORMS": "2",
        "obligations-INITIAL_FORMS": "0",
        "obligations-MIN_NUM_FORMS": "0",
        "obligations-MAX_NUM_FORMS": "1000",
        "obligations-0-title": "Block all foreign nationals",
        "obligations-0-deadline_rule": "immediately",
        "obligations-1-title": "Submit a remediation plan",
        "obligations-1-deadline_rule": "business_days",
        "obligations-1-deadline_amount": "2",
    }
    for i, product in enumerate(products):
        data[f"products-{i}-product"] = product.pk
        data[f"products-{i}-required_action"] = "Block foreign nationals"
    data.update(overrides)
    return data


def test_form_renders_for_legal_with_default_now_in_the_authority_zone(
    client: Any, legal: Any, commerce: Any
) -> None:
    client.force_login(legal)
    response = client.get(reverse("directive_create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2026-11-27"' in html and 'value="17:40"' in html  # now, in America/New_York
    assert "America/New_York" in html
    assert 'hx-post="/directives/new/preview-due/"' in html


@pytest.mark.parametrize("who", ["engineer", "executive", "auditor"])
def test_only_legal_can_log_an_order(client: Any, request: Any, who: str, commerce: Any) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("directive_create"))
    assert response.status_code == 403
    assert "this needs: Legal" in response.content.decode()
    response = client.post(reverse("directive_create"), _post_data(commerce, []))
    assert response.status_code == 403
    assert not Directive.objects.exists()


def test_legal_logs_the_friday_order_with_a_pdf_two_products_and_obligations(
    client: Any, legal: Any, commerce: Any
) -> None:
    mythos, fable = make_product("Mythos"), make_product("Fable 5")
    client.force_login(legal)
    data = _post_data(commerce, [mythos, fable])
    data["documents"] = [SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf")]
    response = client.post(reverse("directive_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    directive = Directive.objects.get()
    assert response["Location"] == reverse("directive_detail", args=[directive.pk])
    assert directive.received_at == dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)
    assert sorted(directive.products.values_list("name", flat=True)) == ["Fable 5", "Mythos"]
    kinds = list(
        TimelineEntry.objects.filter(directive=directive).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds == [
        EntryKind.RECEIVED,
        EntryKind.DOCUMENT_ADDED,
        EntryKind.OBLIGATION_ADDED,
        EntryKind.OBLIGATION_ADDED,
    ]
    plan = directive.obligations.get(deadline_rule=DeadlineRule.BUSINESS_DAYS)
    assert plan.due_at == dt.datetime(2026, 12, 1, 22, 21, tzinfo=dt.UTC)  # Tuesday 17:21 ET
    document = DirectiveDocument.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert document.sha256 in page
    assert "Fri 27 Nov 2026, 17:21 EST · 22:21 UTC" in page and 'datetime="2026-11-27T22:21:00Z"' in page
    assert "Logged BIS-ORD-AI-2026-0417: receipt at Fri 27 Nov 2026, 17:21 EST · 22:21 UTC." in page
    assert f"Documents: order.pdf (SHA-256 {document.sha256})" in page  # the success message


def test_ambiguous_receipt_asks_which_and_keeps_the_document(client: Any, legal: Any, commerce: Any) -> None:
    client.force_login(legal)
    data = _post_data(commerce, [], received_date="2026-11-01", received_time="01:30")
    data["documents"] = [SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf")]
    response = client.post(reverse("directive_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "happens twice in America/New_York" in html
    assert 'type="radio" name="received_offset" value="-04:00"' in html
    assert 'type="radio" name="received_offset" value="-05:00"' in html
    assert "2026-11-01T01:30-04:00 EDT = 2026-11-01T05:30Z" in html
    assert 'value="BIS-ORD-AI-2026-0417"' in html  # nothing typed is lost
    assert not Directive.objects.exists()
    tokens = re.findall(r'name="staged" value="([^"]+)"', html)
    assert len(tokens) == 1  # the PDF is kept server-side, shown with its hash
    import hashlib

    assert hashlib.sha256(PDF).hexdigest() in html

    data = _post_data(
        commerce, [], received_date="2026-11-01", received_time="01:30", received_offset="-05:00"
    )
    data["staged"] = tokens
    response = client.post(reverse("directive_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    directive = Directive.objects.get()
    assert directive.received_at == dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)  # the second 01:30
    assert directive.documents.get().sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_time_in_the_spring_forward_gap_is_refused(client: Any, legal: Any, commerce: Any) -> None:
    client.force_login(legal)
    response = client.post(
        reverse("directive_create"),
        _post_data(commerce, [], received_date="2026-03-08", received_time="02:30"),
    )
    assert response.status_code == 400
    assert "does not exist in America/New_York" in response.content.decode()
    assert not Directive.objects.exists()


def test_a_failure_after_logging_rolls_everything_back_and_keeps_the_form(
    client: Any, legal: Any, commerce: Any, settings: Any
) -> None:
    client.force_login(legal)
    # A stated deadline before the receipt is refused by the obligation service, after log_directive ran.
    data = _post_data(
        commerce,
        [make_product("Fable 5")],
        **{
            "obligations-1-deadline_rule": "by_instant",
            "obligations-1-deadline_date": "2026-11-27",
            "obligations-1-deadline_time": "09:00",
        },
    )
    data["documents"] = [SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf")]
    response = client.post(reverse("directive_create"), data)
    assert response.status_code == 422  # the stated deadline and the receipt disagree
    html = response.content.decode()
    assert "Nothing was saved." in html and "is before the receipt" in html
    assert not Directive.objects.exists()
    assert not TimelineEntry.objects.exists()
    assert not DirectiveDocument.objects.exists()
    stored = Path(settings.MEDIA_ROOT) / "directives"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))
    assert 'value="Submit a remediation plan"' in html and 'value="BIS-ORD-AI-2026-0417"' in html


def test_duplicate_reference_is_a_clear_error(client: Any, legal: Any, commerce: Any) -> None:
    make_directive(authority=commerce, reference="BIS-ORD-AI-2026-0417", actor=legal)
    client.force_login(legal)
    response = client.post(reverse("directive_create"), _post_data(commerce, []))
    assert response.status_code == 409  # the form again, with the reason: the reference is taken
    assert "already has a directive with reference" in response.content.decode()
    assert Directive.objects.count() == 1


def test_a_refused_file_type_is_named(client: Any, legal: Any, commerce: Any) -> None:
    client.force_login(legal)
    data = _post_data(commerce, [])
    data["documents"] = [
        SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/x-msdownload")
    ]
    response = client.post(reverse("directive_create"), data)
    assert response.status_code == 400
    assert "are not accepted" in response.content.decode()


def test_a_file_larger_than_the_limit_is_refused(
    client: Any, legal: Any, commerce: Any, settings: Any
) -> None:
    settings.DOCKET_MAX_UPLOAD_BYTES = 10
    client.force_login(legal)
    data = _post_data(commerce, [])
    data["documents"] = [SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf")]
    response = client.post(reverse("directive_create"), data)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert not Directive.objects.exists()


def test_the_same_product_twice_is_refused(client: Any, legal: Any, commerce: Any) -> None:
    fable = make_product("Fable 5")
    client.force_login(legal)
    response = client.post(reverse("directive_create"), _post_data(commerce, [fable, fable]))
    assert response.status_code == 400
    assert "is listed twice" in response.content.decode()


def test_live_preview_of_the_due_instant_in_both_zones(client: Any, legal: Any, commerce: Any) -> None:
    client.force_login(legal)
    data = _post_data(commerce, [])
    data["row"] = "obligations-1"
    response = client.post(reverse("directive_preview_due"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tue 01 Dec 2026, 17:21 EST · 22:21 UTC" in html and 'datetime="2026-12-01T22:21:00Z"' in html
    assert "within 2 business days" in html
    assert "<html" not in html  # a fragment


def test_live_preview_says_what_is_wrong(client: Any, legal: Any, commerce: Any) -> None:
    client.force_login(legal)
    data = _post_data(commerce, [], received_date="2026-11-01", received_time="01:30")
    data["row"] = "obligations-0"
    html = client.post(reverse("directive_preview_due"), data).content.decode()
    assert "happens twice" in html
    data = _post_data(commerce, [], **{"obligations-1-deadline_amount": ""})
    data["row"] = "obligations-1"
    html = client.post(reverse("directive_preview_due"), data).content.decode()
    assert "Enter the number of hours or days" in html


def test_staged_files_of_abandoned_forms_are_pruned(legal: Any, settings: Any) -> None:
    from django.core.files.storage import default_storage

    from directives.views.staging import StagedUploads

    stash = StagedUploads(legal.pk)
    upload = SimpleUploadedFile("order.pdf", PDF, content_type="application/pdf")
    import hashlib

    staged = stash.stage(upload, hashlib.sha256(PDF).hexdigest())
    path = f"staging/{legal.pk}/{staged.sha256}"
    assert default_storage.exists(path)
    written = default_storage.get_modified_time(path)
    stash.prune(written + dt.timedelta(hours=1))
    assert default_storage.exists(path)  # fresh
    stash.prune(written + dt.timedelta(days=2))
    assert not default_storage.exists(path)
    # A token for a file that is gone, or signed for another user, is ignored.
    assert StagedUploads(legal.pk).load([staged.token]) == ([], [])
    assert StagedUploads(legal.pk + 1).load([staged.token]) == ([], [])
