from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from directives.choices import Priority, Role
from directives.models import EscalationPolicy
from tests.factories import UserFactory, make_directive, make_task

DUE = dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC)  # Friday 22:00 ET


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """One member per role with an address, so that group notifications have someone to reach."""
    return {
        "legal": UserFactory(username="legal-test", role=Role.LEGAL, email="legal@docket.example"),
        "eng": UserFactory(username="eng-test", role=Role.ENGINEERING, email="eng@docket.example"),
        "eng2": UserFactory(username="eng2-test", role=Role.ENGINEERING, email="eng2@docket.example"),
        "exec": UserFactory(username="exec-test", role=Role.EXECUTIVE, email="exec@docket.example"),
    }


@pytest.fixture
def p0_task(people: dict[str, Any]) -> Any:
    directive = make_directive(actor=people["legal"])
    return make_task(
        directive, actor=people["legal"], priority=Priority.P0, assignee=people["eng"], due_at=DUE
    )


@pytest.fixture
def p0_policy(db: Any) -> EscalationPolicy:
    return EscalationPolicy.objects.get(applies_to="task", priority="P0")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def receiver() -> Any:
    from .receiver import Receiver

    r = Receiver().start()
    yield r
    r.stop()
