"""Two workers at once on PostgreSQL, against a real Unleash: each access change is applied once (Unleash's own
event log shows one switch per flag)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from directives.choices import AccessState
from directives.models import Audience, Enforcement
from directives.services import controls
from directives.services import enforcement as enforcement_services
from directives.services.products import record_access_change
from tests.enforcement.workers import attempt_in_two_workers
from tests.factories import legal_user, make_directive, make_product

from .server import Unleash
from .test_enforcement import TARGET

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def change_all(products: list[Any], directive: Any, actor: Any, audience: str, state: str) -> list[int]:
    for p in products:
        record_access_change(
            product=p,
            audiences=[Audience.objects.get(key=audience)],
            state=state,
            directive=directive,
            occurred_at=timezone.now(),
            actor=actor,
            now=timezone.now(),
        )
    return list(Enforcement.objects.filter(status="requested").values_list("pk", flat=True))


def test_two_workers_apply_each_change_once(unleash: Unleash) -> None:
    legal = legal_user()
    products = [make_product(f"Two workers {i}") for i in range(4)]
    for i, p in enumerate(products):
        controls.set_control(product=p, kind="unleash", target={**TARGET, "flag": f"two-workers-{i}"})
    directive = make_directive(actor=legal, products=products)
    change_all(products, directive, legal, "foreign-nationals", AccessState.RESTRICTED)
    assert enforcement_services.run_due(now=timezone.now(), clock=timezone.now) == {"confirmed": 4}

    ids = change_all(products, directive, legal, "all-users", AccessState.SUSPENDED)
    outcomes = attempt_in_two_workers(ids, now=timezone.now, timeout=120)
    assert sorted(outcomes) == ["confirmed"] * 4 + ["skipped"] * 4
    for i in range(4):
        switched = [
            e for e in unleash.events(f"two-workers-{i}") if e["type"] == "feature-environment-disabled"
        ]
        assert len(switched) == 1
