"""The inbox: what was sent to me (and to my role groups), the header's unread count, marking read, the
link to the subject; and the time-zone preference that the pages read work instants in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from directives.choices import Priority, Role
from directives.models import Notification, NotificationChannel, NotificationRead, Preference
from directives.selectors import inbox as inbox_selectors
from tests.factories import UserFactory, make_directive, make_task

pytestmark = pytest.mark.django_db

RECEIVED = dt.datetime(2026, 11, 27, 22, 21, tzinfo=dt.UTC)  # Fri 17:21 EST
NOW = RECEIVED + dt.timedelta(hours=2)


@pytest.fixture(autouse=True)
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def assigned(legal: Any, engineer: Any) -> Any:
    """A task legal created for the engineer (which tells the engineer), due Monday 09:00 EST."""
    directive = make_directive(actor=legal, reference="BIS-1", now=RECEIVED + dt.timedelta(minutes=19))
    return make_task(
        directive,
        actor=legal,
        assignee=engineer,
        title="Block the export",
        priority=Priority.P1,
        due_at=dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.UTC),
        now=RECEIVED + dt.timedelta(minutes=40),
        notify_assignee=True,
    )


def unread_badge(html: str) -> str:
    head = html.split('id="inbox-link"', 1)[1].split("</a>", 1)[0]
    return (
        head.split('class="inbox-count"', 1)[1].split(">", 1)[1].split("<", 1)[0]
        if "inbox-count" in head
        else ""
    )


def test_the_assignee_finds_the_message_and_follows_its_link(
    client: Any, assigned: Any, engineer: Any
) -> None:
    client.force_login(engineer)
    html = client.get(reverse("my_tasks")).content.decode()
    assert unread_badge(html) == "1"
    page = client.get(reverse("inbox")).content.decode()
    assert "[Docket] Assigned to you: Block the export" in page
    assert "Unread" in page and "Open Task: Block the export" in page
    message = Notification.objects.get(user=engineer)
    response = client.get(reverse("inbox_open", args=[message.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("task_detail", args=[assigned.pk])
    assert NotificationRead.objects.filter(user=engineer, notification=message).count() == 1
    assert unread_badge(client.get(reverse("inbox")).content.decode()) == ""


def test_someone_else_sees_neither_the_message_nor_its_link(
    client: Any, assigned: Any, engineer2: Any
) -> None:
    client.force_login(engineer2)
    page = client.get(reverse("inbox")).content.decode()
    assert "Block the export" not in page and "No messages yet" in page
    message = Notification.objects.get(user__username="eng-test")
    assert client.get(reverse("inbox_open", args=[message.pk])).status_code == 403
    assert client.post(reverse("inbox_read", args=[message.pk])).status_code == 403
    assert not NotificationRead.objects.exists()


def test_a_message_to_a_group_reaches_each_member_who_marks_it_read_alone(
    client: Any, assigned: Any, engineer: Any, engineer2: Any
) -> None:
    group = Group.objects.get(name=Role.ENGINEERING)
    Notification.objects.create(
        idempotency_key="group-test",
        channel=NotificationChannel.EMAIL,
        event="escalated",
        recipient=f"group:{group.name}",
        group=group,
        payload={"subject": "Escalated: Block the export", "text": "Level 2 of 3"},
        directive=assigned.directive,
        task=assigned,
        next_attempt_at=NOW,
        created_at=NOW,
    )
    assert inbox_selectors.reader(engineer).unread == 2
    assert inbox_selectors.reader(engineer2).unread == 1
    client.force_login(engineer2)
    response = client.post(reverse("inbox_read_all"))
    assert response.status_code == 302
    assert inbox_selectors.reader(engineer2).unread == 0
    assert inbox_selectors.reader(engineer).unread == 2  # the other member's copy is still unread
    page = client.get(reverse("inbox")).content.decode()
    assert "to the group engineering" in page and "Read Fri 27 Nov 2026, 19:21 EST" in page


def test_mark_one_read_and_the_unread_filter(client: Any, assigned: Any, engineer: Any) -> None:
    client.force_login(engineer)
    message = Notification.objects.get(user=engineer)
    assert "Block the export" in client.get(reverse("inbox") + "?unread=1").content.decode()
    response = client.post(reverse("inbox_read", args=[message.pk]), {"unread": "1", "page": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("inbox") + "?unread=1&page=1"
    assert "Nothing unread" in client.get(reverse("inbox") + "?unread=1").content.decode()
    client.post(reverse("inbox_read", args=[message.pk]))  # twice: still one mark
    assert NotificationRead.objects.count() == 1


def test_cancelled_and_webhook_messages_are_in_no_inbox(client: Any, assigned: Any, engineer: Any) -> None:
    Notification.objects.filter(user=engineer).update(status="cancelled")
    assert inbox_selectors.reader(engineer).unread == 0
    client.force_login(engineer)
    assert "No messages yet" in client.get(reverse("inbox")).content.decode()


def test_the_header_reads_zone_and_unread_count_in_one_query(
    assigned: Any, engineer: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        state = inbox_selectors.reader(engineer)
    assert state.unread == 1 and state.time_zone == ""


# --- The time-zone preference -----------------------------------------------------------------------


def test_settings_page_changes_the_zone_of_due_dates(client: Any, assigned: Any, engineer: Any) -> None:
    client.force_login(engineer)
    task_url = reverse("task_detail", args=[assigned.pk])
    assert "Mon 30 Nov 2026, 09:00 EST" in client.get(task_url).content.decode()
    page = client.get(reverse("settings")).content.decode()
    assert (
        "The company&#x27;s zone (America/New_York)" in page and "now is Fri 27 Nov 2026, 19:21 EST" in page
    )
    response = client.post(reverse("settings"), {"time_zone": "Europe/Brussels"}, follow=True)
    assert "Due dates and reminders are now shown in Europe/Brussels." in response.content.decode()
    assert Preference.objects.get(user=engineer).time_zone == "Europe/Brussels"
    html = client.get(task_url).content.decode()
    # The reader's zone first, the authority's (New York) beside it.
    assert "Mon 30 Nov 2026, 15:00 CET · 09:00 EST" in html
    client.post(reverse("settings"), {"time_zone": ""})
    assert Preference.objects.get(user=engineer).time_zone == ""
    assert "Mon 30 Nov 2026, 09:00 EST" in client.get(task_url).content.decode()


def test_an_unknown_zone_is_refused_and_nothing_is_stored(client: Any, engineer: Any) -> None:
    client.force_login(engineer)
    response = client.post(reverse("settings"), {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Preference.objects.exists()


def test_viewer_zone_reads_the_preference_once(engineer: Any, django_assert_num_queries: Any) -> None:
    from directives import instants
    from directives.services.people import set_time_zone

    set_time_zone(user=engineer, time_zone="Asia/Tokyo", now=NOW)
    fresh = UserFactory(username="eng-test")  # another object for the same person
    with django_assert_num_queries(1):
        assert instants.viewer_zone(fresh).key == "Asia/Tokyo"
        assert instants.viewer_zone(fresh).key == "Asia/Tokyo"
