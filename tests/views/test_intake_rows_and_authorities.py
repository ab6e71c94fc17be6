"""The intake page chooses no authority by itself and its added rows can be removed; legal adds and edits
authorities from it (the zone and calendar of an authority with directives stay as they are)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from directives.models import Authority, Directive
from tests.factories import AuthorityFactory, make_directive, make_product
from tests.views.test_intake import _post_data

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 22, 40, tzinfo=dt.UTC)  # Friday 17:40 ET


@pytest.fixture(autouse=True)
def _frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def test_intake_preselects_no_authority_even_after_an_order_was_logged(client: Any, legal: Any) -> None:
    brussels = AuthorityFactory.create(
        name="European Commission", time_zone="Europe/Brussels", calendar_country="BE"
    )
    AuthorityFactory.create(name="U.S. Department of Commerce")
    make_directive(actor=legal, authority=brussels)
    client.force_login(legal)
    html = client.get(reverse("directive_create")).content.decode()
    assert '<option value="" selected>Choose the authority</option>' in html
    assert "Add or edit authorities" in html
    # A missing authority is named, nothing saved.
    response = client.post(reverse("directive_create"), {**_post_data(brussels, []), "authority": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    # Chosen explicitly (coming back from adding it): preselected, the receipt's default in its zone.
    html = client.get(reverse("directive_create"), {"authority": brussels.pk}).content.decode()
    assert f'<option value="{brussels.pk}" selected>' in html and 'value="23:40"' in html  # 17:40 EST


def test_removed_rows_are_left_out_even_when_incomplete(client: Any, legal: Any) -> None:
    commerce = AuthorityFactory.create(name="U.S. Department of Commerce")
    mythos, fable = make_product("Mythos"), make_product("Fable 5")
    client.force_login(legal)
    html = client.get(reverse("directive_create")).content.decode()
    assert "Remove this product" in html and "Remove this obligation" in html
    data = _post_data(
        commerce,
        [mythos, fable],
        **{
            "products-1-DELETE": "on",
            "products-1-required_action": "",  # incomplete, but removed
            "obligations-1-DELETE": "on",
            "obligations-1-deadline_amount": "",
        },
    )
    response = client.post(reverse("directive_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    directive = Directive.objects.get()
    assert [p.name for p in directive.products.all()] == ["Mythos"]
    assert [o.title for o in directive.obligations.all()] == ["Block all foreign nationals"]


def test_legal_adds_an_authority_from_the_intake_and_comes_back_with_it_chosen(
    client: Any, legal: Any
) -> None:
    client.force_login(legal)
    url = reverse("authority_list")
    body = {
        "name": "EU AI Office",
        "short_name": "AI Office",
        "jurisdiction": "European Union",
        "time_zone": "Europe/Brussels",
        "calendar_country": "be",
        "calendar_subdivision": "",
        "next": reverse("directive_create"),
    }
    response = client.post(url, body)
    office = Authority.objects.get(name="EU AI Office")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('directive_create')}?authority={office.pk}"
    assert office.calendar_country == "BE" and office.time_zone == "Europe/Brussels"
    # An unknown zone, a duplicate name: refused with the field named.
    again = client.post(url, {**body, "time_zone": "Mars/Olympus"})
    assert again.status_code == 400 and "Select a valid choice" in again.content.decode()
    again = client.post(url, body)
    assert again.status_code == 400 and "already exists" in again.content.decode()


def test_editing_an_authority_is_versioned_and_keeps_a_used_zone(client: Any, legal: Any) -> None:
    commerce = AuthorityFactory.create(name="U.S. Department of Commerce", time_zone="America/New_York")
    client.force_login(legal)
    url = reverse("authority_edit", args=[commerce.pk])
    page = client.get(url).content.decode()
    assert 'value="U.S. Department of Commerce"' in page
    body = {
        "name": "U.S. Department of Commerce, BIS",
        "short_name": commerce.short_name,
        "jurisdiction": commerce.jurisdiction,
        "time_zone": "America/Chicago",
        "calendar_country": "US",
        "calendar_subdivision": "",
        "version": 1,
    }
    assert client.post(url, body).status_code == 302
    commerce.refresh_from_db()
    assert commerce.time_zone == "America/Chicago" and commerce.version == 2
    # The version read before: refused, the input kept with the version now stored.
    stale = client.post(url, {**body, "name": "Lost update"})
    html = stale.content.decode()
    assert stale.status_code == 409 and "since you opened it" in html and 'value="Lost update"' in html
    # Once a directive was logged under it, its zone stays.
    make_directive(actor=legal, authority=commerce)
    moved = client.post(url, {**body, "time_zone": "America/New_York", "version": 2})
    assert moved.status_code == 409 and "add another authority instead" in moved.content.decode()
    commerce.refresh_from_db()
    assert commerce.time_zone == "America/Chicago"


def test_an_engineer_cannot_keep_authorities(client: Any, engineer: Any) -> None:
    client.force_login(engineer)
    assert client.get(reverse("authority_list")).status_code == 403
    assert client.post(reverse("authority_list"), {"name": "X"}).status_code == 403
