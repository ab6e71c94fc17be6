"""Page-shaped reads of the sign-in record."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .models import SignInEvent, SignInEventKind

PAGE_SIZE = 50


@dataclass(frozen=True)
class SignInFilters:
    kind: str = ""
    who: str = ""

    @property
    def active(self) -> bool:
        return bool(self.kind or self.who)


def parse_filters(kind: object, who: object) -> SignInFilters:
    """Unknown kinds and overlong names are ignored rather than refused: a filter, not an input."""
    kind_value = kind if isinstance(kind, str) and kind in SignInEventKind.values else ""
    who_value = who.strip()[:150] if isinstance(who, str) else ""
    return SignInFilters(kind=kind_value, who=who_value)


def sign_in_events(filters: SignInFilters) -> QuerySet[SignInEvent]:
    rows = SignInEvent.objects.all()
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.who:
        rows = rows.filter(username__icontains=filters.who)
    return rows.order_by("-occurred_at", "-pk")


def sign_in_page(filters: SignInFilters, page_number: str | None) -> Page[SignInEvent]:
    return Paginator(sign_in_events(filters), PAGE_SIZE).get_page(page_number)
