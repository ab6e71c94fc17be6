"""Typed links as people see and change them: each directive's page shows the link in its own wording
("Supersedes" / "Superseded by"), the report (HTML, PDF, timeline CSV) carries it, legal adds and removes
links from the page, names them at intake, and a refusal says why with the input kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from directives.choices import EntryKind, LinkKind
from directives.models import Directive, DirectiveLink, TimelineEntry
from directives.services import links as link_services
from tests.factories import AuthorityFactory, make_directive
from tests.views.test_intake import _post_data

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _links_card(client: Any, directive: Directive) -> str:
    html = client.get(reverse("directive_detail", args=[directive.pk])).content.decode()
    card = html[html.index('id="links-h"') : html.index('id="obligations-h"')]
    return _text(card)


def test_the_demo_links_its_instruments_and_each_page_shows_them(client: Any, legal: Any, demo: Any) -> None:
    order = demo["directive"]
    client.force_login(legal)
    card = _links_card(client, order)
    assert "Relates to DOD-SCR-2026-011 : Supply-chain risk designation" in card
    assert "Relates to EO-2026-VMR : Executive order on voluntary frontier model review" in card
    assert "Relates to EC-ASSESS-2026-AI-07 : Assessment of the U.S. order" in card
    eu = Directive.objects.get(reference="EC-ASSESS-2026-AI-07")
    assert "Relates to BIS-ORD-AI-2026-0417 : Order to block foreign nationals" in _links_card(client, eu)


def test_both_pages_show_a_link_in_their_own_wording_and_the_report_carries_it(
    client: Any, legal: Any, order: Directive
) -> None:
    eo = make_directive(actor=legal, reference="EO-2026-VMR", title="Executive order on voluntary review")
    link_services.add_link(directive=order, kind=LinkKind.SUPERSEDES, target=eo, actor=legal, now=NOW)
    client.force_login(legal)
    assert "Supersedes EO-2026-VMR : Executive order on voluntary review" in _links_card(client, order)
    assert "Superseded by BIS-ORD-AI-2026-0417 : Order to block foreign nationals" in _links_card(client, eo)

    report = _text(client.get(reverse("directive_report", args=[eo.pk])).content.decode())
    assert "Superseded by BIS-ORD-AI-2026-0417 : Order to block foreign nationals" in report
    pdf = client.get(reverse("directive_report_pdf", args=[order.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Linked directives" in text and "Supersedes" in text and "EO-2026-VMR" in text
    rows = list(
        csv.reader(io.StringIO(client.get(reverse("directive_timeline_csv", args=[eo.pk])).content.decode()))
    )
    added = [r for r in rows if r[1] == "link_added"]
    assert [r[6] for r in added] == [
        "Link added: superseded by BIS-ORD-AI-2026-0417 (Order to block foreign nationals)"
    ]


def test_legal_adds_and_removes_a_link_from_the_page(client: Any, legal: Any, order: Directive) -> None:
    eo = make_directive(actor=legal, reference="EO-2026-VMR", title="Executive order on voluntary review")
    client.force_login(legal)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert "Link to another directive" in page and '<option value="EO-2026-VMR">' in page  # offered
    url = reverse("directive_action", args=[order.pk, "link"])
    response = client.post(url, {"kind": "amends", "target": "eo-2026-vmr"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = _text(response.content.decode())
    assert "Linked: BIS-ORD-AI-2026-0417 amends EO-2026-VMR." in html
    assert "Amends EO-2026-VMR : Executive order on voluntary review" in html
    link = DirectiveLink.objects.get()

    # Removed from the other directive's page.
    response = client.post(
        reverse("directive_action", args=[eo.pk, "unlink"]), {"link": link.pk}, HTTP_HX_REQUEST="true"
    )
    html = _text(response.content.decode())
    assert "Link removed: EO-2026-VMR no longer amended by BIS-ORD-AI-2026-0417." in html
    assert "No links to other directives." in html
    assert not DirectiveLink.objects.exists()
    kinds = TimelineEntry.objects.filter(directive=order).values_list("kind", flat=True)
    assert {EntryKind.LINK_ADDED, EntryKind.LINK_REMOVED} <= set(kinds)

    # Removing it again: the page says it is gone.
    again = client.post(
        reverse("directive_action", args=[eo.pk, "unlink"]), {"link": link.pk}, HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 400 and "That link is no longer there." in again.content.decode()


def test_a_refused_link_says_why_and_keeps_what_was_typed(client: Any, legal: Any, order: Directive) -> None:
    client.force_login(legal)
    url = reverse("directive_action", args=[order.pk, "link"])
    unknown = client.post(url, {"kind": "amends", "target": "EO-9999"}, HTTP_HX_REQUEST="true")
    assert unknown.status_code == 400
    assert "No directive has the reference “EO-9999”." in unknown.content.decode()
    assert 'value="EO-9999"' in unknown.content.decode()
    itself = client.post(url, {"kind": "amends", "target": order.reference}, HTTP_HX_REQUEST="true")
    assert itself.status_code == 400 and "A directive cannot be linked to itself." in itself.content.decode()

    # Two authorities with the same reference: the person picks one by its number.
    for name in ("Agency One", "Agency Two"):
        make_directive(actor=legal, reference="NOTICE-1", authority=AuthorityFactory.create(name=name))
    twice = client.post(url, {"kind": "relates_to", "target": "NOTICE-1"}, HTTP_HX_REQUEST="true")
    assert (
        twice.status_code == 400
        and "Several directives have the reference “NOTICE-1”" in twice.content.decode()
    )
    chosen = Directive.objects.get(reference="NOTICE-1", authority__name="Agency Two")
    ok = client.post(url, {"kind": "relates_to", "target": f"#{chosen.pk}"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and DirectiveLink.objects.get().target == chosen
    duplicate = client.post(url, {"kind": "amends", "target": f"#{chosen.pk}"}, HTTP_HX_REQUEST="true")
    assert duplicate.status_code == 400
    assert "already has a link with NOTICE-1 (relates to NOTICE-1)" in duplicate.content.decode()


def test_only_legal_sees_and_uses_the_link_actions(
    client: Any, legal: Any, engineer: Any, order: Directive
) -> None:
    eo = make_directive(actor=legal, reference="EO-2026-VMR")
    link = link_services.add_link(directive=order, kind=LinkKind.RELATES_TO, target=eo, actor=legal, now=NOW)
    client.force_login(engineer)
    page = client.get(reverse("directive_detail", args=[order.pk])).content.decode()
    assert "Relates to" in page and "Link to another directive" not in page and "unlink" not in page
    refused = client.post(reverse("directive_action", args=[order.pk, "unlink"]), {"link": link.pk})
    assert refused.status_code == 403 and DirectiveLink.objects.exists()


def test_the_intake_form_names_the_directives_an_order_links_to(client: Any, legal: Any) -> None:
    commerce = AuthorityFactory(name="U.S. Department of Commerce", short_name="Commerce (BIS)")
    make_directive(actor=legal, reference="EO-2026-VMR")
    make_directive(actor=legal, reference="DOD-SCR-2026-011")
    client.force_login(legal)
    form = client.get(reverse("directive_create")).content.decode()
    assert "Links to directives already logged" in form
    bad = _post_data(commerce, [], link_kind="responds_to", link_targets="EO-2026-VMR, EO-9999")
    response = client.post(reverse("directive_create"), bad)
    assert response.status_code == 400
    assert "No directive has the reference “EO-9999”." in response.content.decode()
    assert 'value="EO-2026-VMR, EO-9999"' in response.content.decode()  # kept as typed
    good = _post_data(commerce, [], link_kind="responds_to", link_targets="EO-2026-VMR,\nDOD-SCR-2026-011")
    response = client.post(reverse("directive_create"), good)
    assert response.status_code == 302
    order = Directive.objects.get(reference="BIS-ORD-AI-2026-0417")
    card = _links_card(client, order)
    assert "Responds to DOD-SCR-2026-011" in card and "Responds to EO-2026-VMR" in card
    assert "Responded to by BIS-ORD-AI-2026-0417" in _links_card(
        client, Directive.objects.get(reference="EO-2026-VMR")
    )
