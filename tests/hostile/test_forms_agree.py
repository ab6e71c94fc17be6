"""The HTML forms agree with the role table and with the API: commenting on a directive, an offset no
zone has."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from directives.choices import EntryKind
from directives.models import TimelineEntry
from tests.factories import make_directive

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["executive", "engineer"])
def test_whoever_may_comment_comments_on_a_directive_through_its_page(
    client: Client, legal: Any, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    directive = make_directive(actor=legal)
    client.force_login(user)
    page = client.get(reverse("directive_detail", args=[directive.pk])).content.decode()
    assert 'value="comment"' in page and 'value="action_recorded"' not in page  # only what they may do
    url = reverse("directive_action", args=[directive.pk, "record"])
    response = client.post(
        url, {"kind": "comment", "summary": "Noted.", "occurred_date": "2026-11-27", "occurred_time": "17:30"}
    )
    assert response.status_code in (200, 302)
    entry = TimelineEntry.objects.filter(directive=directive).latest("seq")
    assert (entry.kind, entry.summary, entry.actor_label) == (EntryKind.COMMENT, "Noted.", user.username)
    before = TimelineEntry.objects.count()
    refused = client.post(
        url,
        {"kind": "action_recorded", "summary": "x", "occurred_date": "2026-11-27", "occurred_time": "17:30"},
    )
    assert refused.status_code == 400
    assert TimelineEntry.objects.count() == before


@pytest.mark.parametrize("offset", ["+99:00", "abc", "-13:00", "+14:30"])
def test_an_offset_no_zone_has_is_a_400(client: Client, legal: Any, offset: str) -> None:
    directive = make_directive(actor=legal)
    client.force_login(legal)
    before = TimelineEntry.objects.count()
    response = client.post(
        reverse("directive_action", args=[directive.pk, "record"]),
        {
            "kind": "comment",
            "summary": "Offset",
            "occurred_date": "2026-11-27",
            "occurred_time": "17:30",
            "occurred_offset": offset,
        },
    )
    assert response.status_code == 400
    assert "The UTC offset sent with this time is not one any zone has." in response.content.decode()
    assert TimelineEntry.objects.count() == before
