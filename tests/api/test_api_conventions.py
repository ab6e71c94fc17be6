"""Counting conventions through the API: the same services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.choices import EntryKind
from directives.models import Authority, TimelineEntry
from tests.factories import AuthorityFactory, make_directive

pytestmark = pytest.mark.django_db
SATURDAY = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)  # Sat 28 Nov 2026, 10:00 CET


@pytest.fixture
def commission(db: Any) -> Authority:
    return AuthorityFactory.create(
        name="European Commission", time_zone="Europe/Brussels", calendar_country="BE"
    )


def test_an_integrator_sets_a_convention_adds_a_closure_and_recomputes(
    api: Any, legal: Any, commission: Authority
) -> None:
    url = f"/api/v1/authorities/{commission.pk}/convention/"
    assert api.post(url, {"preset": "eu_1182_71"}, format="json").status_code == 428  # version required
    response = api.post(url, {"preset": "eu_1182_71", "version": commission.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["deadline_convention"]["preset"] == "eu_1182_71"
    assert response.json()["convention_words"] == "EU 1182/71, Article 3"

    directive = make_directive(authority=commission, received_at=SATURDAY, actor=legal)
    created = api.post(
        "/api/v1/obligations/",
        {
            "directive": directive.pk,
            "title": "Report",
            "deadline_rule": "calendar_days",
            "deadline_amount": 14,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    ob = created.json()
    assert ob["due_at"] == "2026-12-14T22:59:59Z"
    assert "moves to Mon 14 Dec 2026" in ob["due_explanation"]

    added = api.post(
        f"/api/v1/authorities/{commission.pk}/closure-days/",
        {"day": "2026-12-14", "name": "Closure"},
        format="json",
    )
    assert added.status_code == 201 and added.json()["day"] == "2026-12-14"
    unchanged = api.get(f"/api/v1/obligations/{ob['id']}/").json()
    assert unchanged["due_at"] == "2026-12-14T22:59:59Z"

    recomputed = api.post(
        f"/api/v1/obligations/{ob['id']}/recompute/", {"version": unchanged["version"]}, format="json"
    )
    assert recomputed.status_code == 200, recomputed.content
    assert recomputed.json()["due_at"] == "2026-12-15T22:59:59Z"
    entry = TimelineEntry.objects.get(obligation_id=ob["id"], kind=EntryKind.DEADLINE_RECOMPUTED)
    assert entry.data["old_due_at"] == "2026-12-14T22:59:59+00:00"

    removed = api.delete(f"/api/v1/authorities/{commission.pk}/closure-days/{added.json()['id']}/")
    assert removed.status_code == 200 and removed.json()["removed_by"] == legal.pk
    listed = api.get(f"/api/v1/authorities/{commission.pk}/closure-days/").json()
    assert [c["removed_at"] is not None for c in listed] == [True]


def test_an_obligation_override_and_bad_input(api: Any, legal: Any, commission: Authority) -> None:
    directive = make_directive(authority=commission, received_at=SATURDAY, actor=legal)
    created = api.post(
        "/api/v1/obligations/",
        {
            "directive": directive.pk,
            "title": "Report",
            "deadline_rule": "business_days",
            "deadline_amount": 10,
            "convention": {"preset": "custom", "day_end": "end_of_day", "deemed_receipt": "next_opening"},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["due_at"] == "2026-12-14T22:59:59Z"
    bad = api.post(
        "/api/v1/obligations/",
        {
            "directive": directive.pk,
            "title": "Report",
            "deadline_rule": "hours",
            "deadline_amount": 1,
            "convention": {"preset": "custom", "colour": "red"},
        },
        format="json",
    )
    assert bad.status_code == 400 and "colour" in bad.content.decode()
    ob = created.json()
    back = api.post(
        f"/api/v1/obligations/{ob['id']}/convention/",
        {"preset": None, "version": ob["version"]},
        format="json",
    )
    assert back.status_code == 200 and back.json()["convention"] is None
    closes = api.post(
        f"/api/v1/authorities/{commission.pk}/convention/",
        {"preset": "custom", "closes": "25:00", "version": 1},
        format="json",
    )
    assert closes.status_code == 400


def test_an_obligation_logged_with_its_directive_may_carry_a_convention(
    api: Any, commission: Authority
) -> None:
    response = api.post(
        "/api/v1/directives/",
        {
            "authority": commission.pk,
            "reference": "C(2026) 1",
            "title": "Assessment",
            "kind": "export_control",
            "received_at": "2026-11-28T10:00:00+01:00",
            "obligations": [
                {
                    "title": "Answer",
                    "deadline_rule": "calendar_days",
                    "deadline_amount": 14,
                    "convention": {"preset": "eu_1182_71"},
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    ob = api.get("/api/v1/obligations/", {"directive": response.json()["id"]}).json()["results"][0]
    assert ob["due_at"] == "2026-12-14T22:59:59Z" and ob["convention"]["preset"] == "eu_1182_71"


def test_values_that_disagree_are_422_naming_the_field(api: Any, legal: Any, commission: Authority) -> None:
    """Business hours that open after they close, or a preset's day end it does not allow: each value is
    well-formed (the schema accepts the body), the rule between them refuses it: 422 ``inconsistent``."""
    hours = {"preset": "custom", "opens": "18:00", "closes": "17:00"}
    refused = api.post(
        f"/api/v1/authorities/{commission.pk}/convention/", {**hours, "version": 1}, format="json"
    )
    assert refused.status_code == 422, refused.content
    assert refused.json()["code"] == "inconsistent" and refused.json()["field"] == "opens"
    assert "opens 18:00, closes 17:00" in refused.json()["detail"]
    directive = make_directive(authority=commission, received_at=SATURDAY, actor=legal)
    for convention, field in (
        (hours, "convention.opens"),
        ({"preset": "frcp_6a", "day_end": "same_time"}, "convention.day_end"),
    ):
        body = {
            "directive": directive.pk,
            "title": "Report",
            "deadline_rule": "immediately",
            "convention": convention,
        }
        refused = api.post("/api/v1/obligations/", body, format="json")
        assert refused.status_code == 422, refused.content
        assert refused.json()["code"] == "inconsistent" and refused.json()["field"] == field
    assert not directive.obligations.exists()
