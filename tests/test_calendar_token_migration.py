"""The migration that keeps calendar feed tokens hashed: a feed URL made before it still opens the feed."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from .db_guards import as_owner

BEFORE = [("directives", "0011_notification_key_one_index")]
AFTER = [("directives", "0012_calendar_feed_token_hashed")]


@pytest.mark.django_db(transaction=True)
def test_existing_tokens_are_hashed_and_their_urls_keep_working(client: Any) -> None:
    with as_owner():  # migrations run as the tables' owner (the suite may run as the runtime role)
        _migrate_with_an_old_token()
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_hash FROM directives_calendarfeedtoken")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored == [hashlib.sha256(b"url-token-1234").hexdigest()]
    response = client.get(reverse("calendar_feed", args=["url-token-1234"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")


def _migrate_with_an_old_token() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="feed-owner", is_active=True)
    old.get_model("directives", "CalendarFeedToken").objects.create(user_id=user.pk, token="url-token-1234")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
