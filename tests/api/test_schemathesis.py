"""The API against its own OpenAPI schema, fuzzed by schemathesis (all phases: examples, coverage,
fuzzing, and stateful, with auth). Checks: no server error, every response matches its documented
schema, no undocumented status code, no undocumented content type. Bounded for CI: a fixed number of
examples per operation, derandomized, no Hypothesis database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from compliance.wsgi import application
from directives.choices import DeadlineRule, Priority, Role
from directives.services import obligations as obligation_services
from directives.services import tasks as task_services
from tests.api.conftest import new_authority
from tests.factories import UserFactory, make_directive, make_product

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
MAX_EXAMPLES = 25

config = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)

HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _seed() -> str:
    """A staff user's token, and a little of everything for the fuzzer to find: an authority, products,
    a directive with an obligation and tasks (one resolved, awaiting verification)."""
    staff = UserFactory(username="fuzz-staff", is_staff=True, is_superuser=True)
    engineer = UserFactory(username="fuzz-eng", role=Role.ENGINEERING)
    legal = UserFactory(username="fuzz-legal", role=Role.LEGAL)
    now = dt.datetime.now(dt.UTC)
    received = now - dt.timedelta(hours=2)
    directive = make_directive(
        actor=legal,
        authority=new_authority(name="Commerce (fuzz)"),
        received_at=received,
        now=now,
        products=[make_product("Fable 5"), make_product("Mythos")],
    )
    obligation = obligation_services.add_obligation(
        directive=directive,
        title="Block foreign nationals",
        deadline_rule=DeadlineRule.HOURS,
        deadline_amount=24,
        actor=legal,
        now=now,
    )
    task_services.create_task(
        directive=directive, obligation=obligation, title="Patch", actor=legal, now=now, assignee=engineer
    )
    done = task_services.create_task(
        directive=directive, title="Suspend", actor=legal, now=now, assignee=engineer, priority=Priority.P0
    )
    task_services.resolve_task(task=done, actor=engineer, resolution="Suspended.", now=now)
    token, _ = Token.objects.get_or_create(user=staff)
    return token.key


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """schemathesis calls the WSGI application directly, not through Django's test client, so Django's
    end-of-request handler would close the database connection in the middle of the test's transaction
    (PostgreSQL). Do what the test client does: leave the connection alone during the test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db: Any) -> str:
    cache.clear()  # throttle counts left by earlier tests would turn schema-valid calls into 429s
    return _seed()


@schema.parametrize()
@HYPOTHESIS
def test_api_conforms_to_its_schema(case: Any, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


class APIWorkflows(schema.as_state_machine()):  # type: ignore[misc]
    """Stateful phase: chains of calls linked by the ids one response gives the next request."""

    token = ""

    def setup(self) -> None:
        # Every scenario starts from the same database and throttle state, so that Hypothesis sees the
        # same responses (and the same bundles) when it replays a scenario: rows created by the previous
        # scenario, or throttle counts left by earlier tests in the process, made generation flaky.
        cache.clear()
        self._scenario = transaction.atomic()
        self._scenario.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._scenario.__exit__(None, None, None)

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"headers": {"Authorization": f"Token {self.token}"}}

    def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
        case.validate_response(response, checks=CHECKS)


@pytest.mark.django_db
def test_api_stateful_workflows() -> None:
    APIWorkflows.token = _seed()
    runner = APIWorkflows.TestCase
    runner.settings = settings(
        max_examples=MAX_EXAMPLES,
        stateful_step_count=6,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    runner().runTest()
