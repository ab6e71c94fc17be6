"""Typed links between directives: "BIS-1 amends EO-2", shown on both pages ("Amended by BIS-1" on EO-2's).
Legal adds and removes them from the directive page, the intake and the API, all through this module; each
change is an entry on both directives' timelines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from ..choices import EntryKind, LinkKind
from ..errors import InvalidInput
from ..models import Directive, DirectiveLink
from ..permissions import Action, require
from .timeline import append_entry

MAX_LINKS_AT_INTAKE = 20


@dataclass(frozen=True)
class NewLink:
    """A link the directive being logged makes: it ``kind`` (amends, supersedes...) ``target``."""

    kind: LinkKind | str
    target: Directive


def _named(directive: Directive) -> str:
    return f"{directive.reference} ({directive.title[:80]}{'…' if len(directive.title) > 80 else ''})"


def _existing(directive: Directive, other: Directive) -> DirectiveLink | None:
    pair = Q(source=directive, target=other) | Q(source=other, target=directive)
    return DirectiveLink.objects.filter(pair).select_related("source", "target").first()


def _refuse_duplicate(directive: Directive, link: DirectiveLink) -> InvalidInput:
    other = link.other(directive.pk)
    return InvalidInput(
        f"{directive.reference} already has a link with {other.reference} "
        f"({link.label_for(directive.pk).lower()} {other.reference}); "
        "remove it first to link them another way.",
        field="target",
    )


def _record(link: DirectiveLink, *, kind: EntryKind, actor: Any, now: dt.datetime) -> None:
    """The change on both directives' timelines, each in its own wording."""
    verb = "Link added" if kind == EntryKind.LINK_ADDED else "Link removed"
    for this, other in ((link.source, link.target), (link.target, link.source)):
        label = link.label_for(this.pk)
        append_entry(
            directive=this,
            kind=kind,
            occurred_at=now,
            actor=actor,
            now=now,
            summary=f"{verb}: {label.lower()} {_named(other)}",
            data={
                "link": link.pk,
                "kind": link.kind,
                "label": label,
                "directive": other.pk,
                "reference": other.reference,
            },
        )


@transaction.atomic
def add_link(
    *, directive: Directive, kind: LinkKind | str, target: Directive, actor: Any, now: dt.datetime
) -> DirectiveLink:
    """Record that ``directive`` ``kind`` ``target`` ("amends EO-2"). Refused for a link to itself, an
    unknown kind, or two directives that already have a link (in either direction)."""
    require(actor, Action.EDIT_DIRECTIVE, directive)
    if kind not in LinkKind.values:
        known = ", ".join(k.label.lower() for k in LinkKind)
        raise InvalidInput(f"Unknown link type {kind!r}; choose one of: {known}.", field="kind")
    if target.pk == directive.pk:
        raise InvalidInput("A directive cannot be linked to itself.", field="target")
    existing = _existing(directive, target)
    if existing is not None:
        raise _refuse_duplicate(directive, existing)
    try:
        with transaction.atomic():
            link = DirectiveLink.objects.create(
                source=directive, kind=kind, target=target, created_by=actor, created_at=now
            )
    except IntegrityError as exc:  # the same pair linked meanwhile
        found = _existing(directive, target)
        if found is None:
            raise
        raise _refuse_duplicate(directive, found) from exc
    _record(link, kind=EntryKind.LINK_ADDED, actor=actor, now=now)
    return link


def add_links(*, directive: Directive, links: Sequence[NewLink], actor: Any, now: dt.datetime) -> None:
    """The intake's links, each as ``add_link`` makes it."""
    if len(links) > MAX_LINKS_AT_INTAKE:
        raise InvalidInput(f"At most {MAX_LINKS_AT_INTAKE} links at intake.", field="links")
    for item in links:
        add_link(directive=directive, kind=item.kind, target=item.target, actor=actor, now=now)


@transaction.atomic
def remove_link(*, directive: Directive, link: DirectiveLink, actor: Any, now: dt.datetime) -> None:
    """Remove ``link``, one of ``directive``'s (from either side); both timelines say so."""
    require(actor, Action.EDIT_DIRECTIVE, directive)
    if directive.pk not in (link.source_id, link.target_id):
        raise InvalidInput("That link belongs to other directives.", field="link")
    found = DirectiveLink.objects.select_for_update().select_related("source", "target").filter(pk=link.pk)
    link = found.first()  # type: ignore[assignment]
    if link is None:
        raise InvalidInput("That link was removed meanwhile.", field="link")
    _record(link, kind=EntryKind.LINK_REMOVED, actor=actor, now=now)
    link.delete()
