from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from directives.models import TimelineEntry

from .factories import UserFactory, make_directive

pytestmark = pytest.mark.django_db


def _inline_models() -> set[type]:
    return {inline.model for ma in admin.site._registry.values() for inline in ma.inlines}


def test_every_model_has_an_admin() -> None:
    shown = set(admin.site._registry) | _inline_models()
    missing = [m.__name__ for m in apps.get_app_config("directives").get_models() if m not in shown]
    assert missing == []


@pytest.mark.parametrize("superuser", [True, False])
def test_admin_pages_load_and_timeline_is_read_only(client, legal, superuser) -> None:
    # Administrators are staff: the admin works for a staff account without the superuser flag too.
    admin_user = UserFactory(username="admin-x", is_staff=True, is_superuser=superuser)
    directive = make_directive(actor=legal)
    entry = TimelineEntry.objects.get(directive=directive, seq=1)
    client.force_login(admin_user)
    for model in apps.get_app_config("directives").get_models():
        if model not in admin.site._registry:
            continue  # edited inline on its parent's page
        url = reverse(f"admin:directives_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("admin:directives_timelineentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # view only
    assert client.get(reverse("admin:directives_timelineentry_delete", args=[entry.pk])).status_code == 403
    assert client.get(reverse("admin:directives_timelineentry_add")).status_code == 403
    response = client.post(
        reverse("admin:directives_timelineentry_change", args=[entry.pk]), {"summary": "x"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.summary != "x"
