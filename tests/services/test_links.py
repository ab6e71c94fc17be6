"""Typed links between directives, through the one service the page, the intake and the API call: each
change on both timelines in its own wording; no link to itself, at most one link between two directives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.choices import EntryKind, LinkKind
from directives.errors import InvalidInput, NotAllowed
from directives.models import DirectiveLink, TimelineEntry
from directives.selectors.directives import link_rows
from directives.services import links as link_services
from directives.services.timeline import verify_chain
from tests.factories import make_directive

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)


def _entries(directive: Any, kind: EntryKind) -> list[str]:
    return list(
        TimelineEntry.objects.filter(directive=directive, kind=kind)
        .order_by("seq")
        .values_list("summary", flat=True)
    )


def test_a_link_is_read_both_ways_and_recorded_on_both_timelines(legal: Any) -> None:
    eo = make_directive(reference="EO-2026-VMR", title="Executive order on voluntary review")
    order = make_directive(reference="BIS-ORD-AI-2026-0417", title="Order to block foreign nationals")
    link = link_services.add_link(directive=order, kind=LinkKind.AMENDS, target=eo, actor=legal, now=NOW)

    (mine,) = link_rows(order.pk)
    (theirs,) = link_rows(eo.pk)
    assert (mine.label, mine.other, mine.outgoing) == ("Amends", eo, True)
    assert (theirs.label, theirs.other, theirs.outgoing) == ("Amended by", order, False)
    assert _entries(order, EntryKind.LINK_ADDED) == [
        "Link added: amends EO-2026-VMR (Executive order on voluntary review)"
    ]
    assert _entries(eo, EntryKind.LINK_ADDED) == [
        "Link added: amended by BIS-ORD-AI-2026-0417 (Order to block foreign nationals)"
    ]
    entry = TimelineEntry.objects.get(directive=eo, kind=EntryKind.LINK_ADDED)
    assert entry.actor == legal and entry.data["link"] == link.pk and entry.data["label"] == "Amended by"

    link_services.remove_link(directive=eo, link=link, actor=legal, now=NOW + dt.timedelta(minutes=5))
    assert not DirectiveLink.objects.exists()
    assert link_rows(order.pk) == [] and link_rows(eo.pk) == []
    assert _entries(order, EntryKind.LINK_REMOVED) == [
        "Link removed: amends EO-2026-VMR (Executive order on voluntary review)"
    ]
    assert _entries(eo, EntryKind.LINK_REMOVED) == [
        "Link removed: amended by BIS-ORD-AI-2026-0417 (Order to block foreign nationals)"
    ]
    assert verify_chain(order.pk).ok and verify_chain(eo.pk).ok


@pytest.mark.parametrize(
    ("kind", "source_label", "target_label"),
    [
        (LinkKind.AMENDS, "Amends", "Amended by"),
        (LinkKind.SUPERSEDES, "Supersedes", "Superseded by"),
        (LinkKind.RESPONDS_TO, "Responds to", "Responded to by"),
        (LinkKind.RELATES_TO, "Relates to", "Relates to"),
    ],
)
def test_each_type_has_its_wording_on_each_side(
    legal: Any, kind: LinkKind, source_label: str, target_label: str
) -> None:
    a, b = make_directive(reference="A-1"), make_directive(reference="B-2")
    link_services.add_link(directive=a, kind=kind, target=b, actor=legal, now=NOW)
    assert [r.label for r in link_rows(a.pk)] == [source_label]
    assert [r.label for r in link_rows(b.pk)] == [target_label]


def test_no_link_to_itself_no_second_link_between_two_directives_and_known_types_only(legal: Any) -> None:
    a, b = make_directive(reference="A-1"), make_directive(reference="B-2")
    with pytest.raises(InvalidInput, match="cannot be linked to itself"):
        link_services.add_link(directive=a, kind=LinkKind.AMENDS, target=a, actor=legal, now=NOW)
    with pytest.raises(InvalidInput, match="Unknown link type 'repeals'"):
        link_services.add_link(directive=a, kind="repeals", target=b, actor=legal, now=NOW)
    link_services.add_link(directive=a, kind=LinkKind.SUPERSEDES, target=b, actor=legal, now=NOW)
    with pytest.raises(InvalidInput) as same_way:
        link_services.add_link(directive=a, kind=LinkKind.AMENDS, target=b, actor=legal, now=NOW)
    assert same_way.value.message == (
        "A-1 already has a link with B-2 (supersedes B-2); remove it first to link them another way."
    )
    with pytest.raises(InvalidInput) as other_way:
        link_services.add_link(directive=b, kind=LinkKind.RELATES_TO, target=a, actor=legal, now=NOW)
    assert "B-2 already has a link with A-1 (superseded by A-1)" in other_way.value.message
    assert DirectiveLink.objects.count() == 1
    assert len(_entries(a, EntryKind.LINK_ADDED)) == 1  # a refusal writes nothing


def test_only_legal_links_directives(legal: Any, engineer: Any, executive: Any) -> None:
    a, b = make_directive(reference="A-1"), make_directive(reference="B-2")
    for person in (engineer, executive):
        with pytest.raises(NotAllowed):
            link_services.add_link(directive=a, kind=LinkKind.AMENDS, target=b, actor=person, now=NOW)
    link = link_services.add_link(directive=a, kind=LinkKind.AMENDS, target=b, actor=legal, now=NOW)
    with pytest.raises(NotAllowed):
        link_services.remove_link(directive=a, link=link, actor=engineer, now=NOW)


def test_a_link_is_removed_only_from_one_of_its_directives(legal: Any) -> None:
    a, b, c = (make_directive(reference=r) for r in ("A-1", "B-2", "C-3"))
    link = link_services.add_link(directive=a, kind=LinkKind.AMENDS, target=b, actor=legal, now=NOW)
    with pytest.raises(InvalidInput, match="belongs to other directives"):
        link_services.remove_link(directive=c, link=link, actor=legal, now=NOW)
    assert DirectiveLink.objects.filter(pk=link.pk).exists()


def test_an_order_logged_with_links_has_its_receipt_first_then_the_links(legal: Any) -> None:
    eo = make_directive(reference="EO-2026-VMR")
    dod = make_directive(reference="DOD-SCR-2026-011")
    order = make_directive(
        reference="BIS-ORD-AI-2026-0417",
        links=[
            link_services.NewLink(LinkKind.RELATES_TO, eo),
            link_services.NewLink(LinkKind.SUPERSEDES, dod),
        ],
    )
    kinds = list(TimelineEntry.objects.filter(directive=order).order_by("seq").values_list("kind", flat=True))
    assert kinds == [EntryKind.RECEIVED, EntryKind.LINK_ADDED, EntryKind.LINK_ADDED]
    assert [(r.label, r.other.reference) for r in link_rows(order.pk)] == [
        ("Supersedes", "DOD-SCR-2026-011"),
        ("Relates to", "EO-2026-VMR"),
    ]
    assert [r.label for r in link_rows(dod.pk)] == ["Superseded by"]


def test_a_refused_link_at_intake_logs_nothing(legal: Any) -> None:
    eo = make_directive(reference="EO-2026-VMR")
    with pytest.raises(InvalidInput):
        make_directive(
            reference="BIS-1",
            links=[
                link_services.NewLink(LinkKind.AMENDS, eo),
                link_services.NewLink(LinkKind.RELATES_TO, eo),
            ],
        )
    assert not DirectiveLink.objects.exists()
    assert not TimelineEntry.objects.filter(directive__reference="BIS-1").exists()
