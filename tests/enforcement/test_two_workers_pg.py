"""Two workers at once on PostgreSQL, against the real kill switch: each access change is applied once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.choices import AccessState
from directives.models import Audience, Enforcement
from directives.services import controls
from directives.services import enforcement as enforcement_services
from directives.services.products import record_access_change
from tests.enforcement.workers import attempt_in_two_workers
from tests.factories import ET_FRIDAY_1721, legal_user, make_directive, make_product

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SHUTDOWN = ET_FRIDAY_1721 + dt.timedelta(minutes=27)


def test_two_workers_apply_each_change_once(switch: Any) -> None:
    legal = legal_user()
    products = [make_product(f"Model {i}") for i in range(6)]
    for p in products:
        controls.set_control(product=p, kind="webhook", target=switch.target())
    directive = make_directive(actor=legal, products=products)
    everyone = [Audience.objects.get(key="all-users")]
    for p in products:
        record_access_change(
            product=p,
            audiences=everyone,
            state=AccessState.SUSPENDED,
            directive=directive,
            occurred_at=SHUTDOWN,
            actor=legal,
            now=SHUTDOWN,
        )
    ids = list(Enforcement.objects.values_list("pk", flat=True))
    outcomes = attempt_in_two_workers(ids, now=lambda: SHUTDOWN + dt.timedelta(seconds=1), timeout=60)
    assert sorted(outcomes) == ["confirmed"] * 6 + ["skipped"] * 6
    assert sorted(switch.applied_keys.values()) == [1] * 6
    assert set(Enforcement.objects.values_list("status", flat=True)) == {"confirmed"}
    # two relays at once share the due rows out (SKIP LOCKED): none is dispatched twice
    assert enforcement_services.claim_for_dispatch(now=SHUTDOWN + dt.timedelta(hours=1)) == []
