"""The sign-in record is visible to administrators and auditors, and to nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directives.sso.models import SignInEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(client, legal):
    """A sign-in, a refusal and a sign-out on the record, made the way people make them."""
    client.post(
        reverse("login"), {"username": legal.username, "password": "wrong"}, REMOTE_ADDR="203.0.113.9"
    )
    client.post(
        reverse("login"),
        {"username": legal.username, "password": "pw-for-tests-only"},
        REMOTE_ADDR="203.0.113.9",
    )
    client.post(reverse("sign_out"), REMOTE_ADDR="203.0.113.9")
    assert SignInEvent.objects.count() == 3


@pytest.mark.parametrize("who", ["auditor", "admin_user"])
def test_staff_and_auditors_see_the_record(client, request, record, who) -> None:
    viewer = request.getfixturevalue(who)
    client.force_login(viewer)
    page = client.get(reverse("sign_in_record"))
    assert page.status_code == 200
    rows = page.content.decode()
    assert rows.count('class="sign-in-event"') == 4  # the three above and this viewer's own sign-in
    assert "Sign-in refused" in rows and "203.0.113.9" in rows and "legal-test" in rows
    assert b"Sign-in record" in client.get(reverse("home"), follow=True).content  # in the header
    refused = client.get(reverse("sign_in_record") + "?kind=refused&who=legal")
    assert refused.content.decode().count('class="sign-in-event"') == 1


@pytest.mark.parametrize("who", ["legal", "engineer", "executive"])
def test_others_do_not(client, request, record, who) -> None:
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("sign_in_record"))
    assert page.status_code == 403
    assert b"203.0.113.9" not in page.content
    assert b"Sign-in record" not in client.get(reverse("api_tokens")).content


def test_anonymous_visitors_are_sent_to_log_in(client, record) -> None:
    response = client.get(reverse("sign_in_record"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_record_is_read_only_in_the_admin(client, admin_user, record) -> None:
    client.force_login(admin_user)
    event = SignInEvent.objects.first()
    assert event is not None
    assert client.get(reverse("admin:sso_signinevent_changelist")).status_code == 200
    assert client.get(reverse("admin:sso_signinevent_add")).status_code == 403
    assert (
        client.post(reverse("admin:sso_signinevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert client.get(reverse("admin:sso_signinidentity_add")).status_code == 200


def test_bad_filters_are_ignored_not_a_500(client, auditor, record) -> None:
    client.force_login(auditor)
    response = client.get(reverse("sign_in_record") + "?kind=%00nonsense&who=" + "x" * 5000 + "&page=-3")
    assert response.status_code == 200


def test_the_record_page_costs_the_same_queries_however_long_it_is(
    client, auditor, django_assert_max_num_queries
) -> None:
    from django.utils import timezone

    from directives.sso.models import SignInEventKind, SignInMethod
    from directives.sso.services import ClientInfo, record_event

    client.force_login(auditor)
    client.get(reverse("sign_in_record"))  # session and user warmed
    for i in range(120):
        record_event(
            kind=SignInEventKind.REFUSED,
            method=SignInMethod.PASSWORD,
            client=ClientInfo("192.0.2.1", ""),
            now=timezone.now(),
            username=f"guess{i}",
            reason="password",
        )
    with django_assert_max_num_queries(6):
        page = client.get(reverse("sign_in_record") + "?page=2")
    assert page.content.decode().count('class="sign-in-event"') == 50


def test_every_sign_in_model_has_an_admin() -> None:
    from django.apps import apps
    from django.contrib import admin

    assert [m for m in apps.get_app_config("sso").get_models() if m not in admin.site._registry] == []
