"""Typed links through the API, with the same service as the directive page: listed both ways from each
directive, added (also at intake, JSON and multipart) and removed; refusals are 400s naming the field."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from directives.choices import EntryKind
from directives.models import Directive, DirectiveLink, IntakeItem, TimelineEntry
from directives.services import mailbox
from tests.api.conftest import client_for, directive_body, new_authority
from tests.documents.samples import TRUSTED, order_eml
from tests.factories import make_directive

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _links(api: Any, directive: Directive) -> list[tuple[str, str, str]]:
    response = api.get(f"/api/v1/directives/{directive.pk}/links/")
    assert response.status_code == 200, response.json()
    return [(r["label"], r["direction"], r["directive"]["reference"]) for r in response.json()]


def test_legal_links_two_directives_and_both_read_it_in_their_own_words(legal: Any, auditor: Any) -> None:
    eo = make_directive(actor=legal, reference="EO-2026-VMR", title="Executive order on voluntary review")
    order = make_directive(actor=legal, reference="BIS-ORD-AI-2026-0417")
    api = client_for(legal)
    response = api.post(
        f"/api/v1/directives/{order.pk}/links/", {"kind": "supersedes", "target": eo.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    (row,) = response.json()
    assert row["kind"] == "supersedes" and row["label"] == "Supersedes" and row["direction"] == "outgoing"
    assert row["directive"] == {
        "id": eo.pk,
        "reference": "EO-2026-VMR",
        "title": "Executive order on voluntary review",
        "authority": eo.authority.name,
    }
    reader = client_for(auditor)
    assert _links(reader, order) == [("Supersedes", "outgoing", "EO-2026-VMR")]
    assert _links(reader, eo) == [("Superseded by", "incoming", "BIS-ORD-AI-2026-0417")]
    summaries = TimelineEntry.objects.filter(kind=EntryKind.LINK_ADDED).values_list("summary", flat=True)
    assert sorted(summaries) == [
        "Link added: superseded by BIS-ORD-AI-2026-0417 (Order to block foreign nationals)",
        "Link added: supersedes EO-2026-VMR (Executive order on voluntary review)",
    ]

    # Removed from the other side: both timelines say so, and neither lists it any more.
    link = DirectiveLink.objects.get()
    assert reader.delete(f"/api/v1/directives/{eo.pk}/links/{link.pk}/").status_code == 403
    assert api.delete(f"/api/v1/directives/{eo.pk}/links/{link.pk}/").status_code == 204
    assert _links(reader, order) == [] and _links(reader, eo) == []
    assert TimelineEntry.objects.filter(kind=EntryKind.LINK_REMOVED).count() == 2
    assert api.delete(f"/api/v1/directives/{eo.pk}/links/{link.pk}/").status_code == 404


def test_refusals_are_400s_naming_the_field_and_change_nothing(legal: Any) -> None:
    a = make_directive(actor=legal, reference="A-1")
    b = make_directive(actor=legal, reference="B-2")
    api = client_for(legal)
    url = f"/api/v1/directives/{a.pk}/links/"
    self_link = api.post(url, {"kind": "amends", "target": a.pk}, format="json")
    assert self_link.status_code == 400 and self_link.json()["field"] == "target"
    assert "cannot be linked to itself" in str(self_link.json())
    unknown = api.post(url, {"kind": "repeals", "target": b.pk}, format="json")
    assert unknown.status_code == 400 and "kind" in str(unknown.json())
    missing = api.post(url, {"kind": "amends", "target": 10**12}, format="json")
    assert missing.status_code == 400 and "target" in str(missing.json())
    assert api.post(url, {"kind": "amends", "target": b.pk}, format="json").status_code == 201
    twice = api.post(
        f"/api/v1/directives/{b.pk}/links/", {"kind": "relates_to", "target": a.pk}, format="json"
    )
    assert twice.status_code == 400 and twice.json()["field"] == "target"
    assert "B-2 already has a link with A-1 (amended by A-1)" in str(twice.json())
    assert DirectiveLink.objects.count() == 1
    c = make_directive(actor=legal, reference="C-3")
    link = DirectiveLink.objects.get()
    assert api.delete(f"/api/v1/directives/{c.pk}/links/{link.pk}/").status_code == 404  # not one of C-3's


def test_the_intake_names_the_directives_an_order_links_to(legal: Any) -> None:
    authority = new_authority()
    eo = make_directive(actor=legal, reference="EO-2026-VMR", authority=authority)
    dod = make_directive(actor=legal, reference="DOD-SCR-2026-011", authority=authority)
    api = client_for(legal)
    body = directive_body(
        authority.pk,
        links=[{"kind": "relates_to", "target": eo.pk}, {"kind": "amends", "target": dod.pk}],
        received_at="2026-11-28T09:00:00-05:00",
    )
    response = api.post("/api/v1/directives/", body, format="json")
    assert response.status_code == 201, response.json()
    order = Directive.objects.get(pk=response.json()["id"])
    assert _links(api, order) == [
        ("Amends", "outgoing", "DOD-SCR-2026-011"),
        ("Relates to", "outgoing", "EO-2026-VMR"),
    ]
    assert _links(api, dod) == [("Amended by", "incoming", order.reference)]

    # The same as multipart/form-data: one JSON part per link. A refused link logs nothing.
    multipart = {
        **directive_body(authority.pk, reference="BIS-2", received_at="2026-11-28T09:30:00-05:00"),
        "links": [json.dumps({"kind": "responds_to", "target": order.pk})],
    }
    response = api.post("/api/v1/directives/", multipart, format="multipart")
    assert response.status_code == 201, response.json()
    assert _links(api, order) == [  # by type (amends, supersedes, responds to, relates to)
        ("Amends", "outgoing", "DOD-SCR-2026-011"),
        ("Responded to by", "incoming", "BIS-2"),
        ("Relates to", "outgoing", "EO-2026-VMR"),
    ]
    refused = {
        **directive_body(authority.pk, reference="BIS-3", received_at="2026-11-28T09:40:00-05:00"),
        "links": [{"kind": "amends", "target": eo.pk}, {"kind": "supersedes", "target": eo.pk}],
    }
    answer = api.post("/api/v1/directives/", refused, format="json")
    assert answer.status_code == 400 and "BIS-3 already has a link with EO-2026-VMR" in str(answer.json())
    assert not Directive.objects.filter(reference="BIS-3").exists()


def test_a_message_of_the_intake_mailbox_is_logged_with_its_links(
    legal: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOCKET_TRUSTED_MAIL_HOSTS = TRUSTED
    mailbox.queue_message(order_eml([]), uid="3", mailbox="intake@imap/INBOX", now=NOW)
    item = IntakeItem.objects.get()
    authority = new_authority(name="U.S. Department of Commerce", time_zone="America/New_York")
    eo = make_directive(actor=legal, reference="EO-2026-VMR", authority=authority)
    body = directive_body(
        authority.pk, received_at="2026-11-27T22:21:04Z", links=[{"kind": "relates_to", "target": eo.pk}]
    )
    api = client_for(legal)
    done = api.post(f"/api/v1/intake-items/{item.pk}/log/", {**body, "version": 1}, format="json")
    assert done.status_code == 201, done.json()
    order = Directive.objects.get(pk=done.json()["id"])
    assert _links(api, order) == [("Relates to", "outgoing", "EO-2026-VMR")]
    assert _links(api, eo) == [("Relates to", "incoming", "BIS-ORD-AI-2026-0417")]
