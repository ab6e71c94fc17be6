"""The admin is for administrators only; not even they can change or delete a timeline entry there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directives.models import TimelineEntry

from ..factories import make_directive


@pytest.mark.parametrize("who", ["legal", "engineer", "executive", "auditor"])
def test_roles_without_staff_cannot_enter_the_admin(client, request, who) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    response = client.get(reverse("admin:directives_timelineentry_changelist"))
    assert response.status_code == 302


def test_staff_cannot_change_or_delete_a_timeline_entry_in_the_admin(client, admin_user, legal) -> None:
    directive = make_directive(actor=legal)
    entry = TimelineEntry.objects.get(directive=directive, seq=1)
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    change = reverse("admin:directives_timelineentry_change", args=[entry.pk])
    page = client.get(change)
    assert page.status_code == 200 and b'name="_save"' not in page.content  # shown read-only
    assert client.post(change, {"summary": "rewritten"}).status_code == 403
    delete = reverse("admin:directives_timelineentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:directives_timelineentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.summary.startswith("Authority") and TimelineEntry.objects.filter(pk=entry.pk).exists()
