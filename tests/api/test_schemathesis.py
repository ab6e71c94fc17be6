"""The API against its own OpenAPI schema, fuzzed by schemathesis with every check it has (``--checks
all``: among them positive-data acceptance, negative-data rejection, ignored authentication, missing
required headers, unsupported methods, use after free) in all phases: examples, coverage, fuzzing and
stateful. Bounded for CI: a fixed number of examples per operation, a fixed seed, derandomized, no
Hypothesis database.

What the schema cannot promise, and how the run says so (no check and no operation is left out):

- Which records exist. A schema-valid body may name a directive, obligation or person by an id no row has
  (400, naming the field). Positive cases therefore name the records seeded here (``_name_records``; a
  link's ``target`` is the seeded directive, once);
  negative cases are sent as generated. Likewise for the server's reference data: an authority's business
  calendar is a country and subdivision the installed holiday calendars have (hundreds of codes, the
  subdivision depending on the country); positive cases name the United States' calendar.
- Rules between an instant and the records: an event's ``occurred_at`` at most 366 days before the
  directive's receipt and not in the future, a deadline or due instant not before the receipt. The schema
  says what an instant looks like (RFC 3339, years 1970 to 2199); positive cases draw instants between the
  seeded directive's receipt and now (``_recent_instants``), in UTC or with an offset.
- What a file holds. The schema says which types a file part may be sent as (``encoding``'s ``contentType``)
  and that it is not empty; a PDF must also begin with ``%PDF`` and an Outlook message with its OLE signature
  (``SIGNATURES``, said in the schema's words). Positive cases' files of those types begin so
  (``_sign_files``).
- Rules that OpenAPI 3.0 cannot state, so the positive-data check also expects their statuses: 428 for a
  versioned write that carries neither ``version`` in the body nor ``If-Match`` (either one is enough, so
  neither is required on its own); 422 for an ``Idempotency-Key`` already used with another body (a key's
  first use is state, not shape), and for values of one body that disagree with each other
  (``inconsistent``: a custom convention's business hours that open at or after they close, a new
  directive's obligation whose stated deadline is before the receipt sent with it).

Each example runs in a transaction rolled back after it, with the throttle counts cleared, so every
example starts from the same seeded state: a name taken by an earlier example, or an anonymous probe
throttled because earlier ones were counted, is not what the schema is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from compliance.wsgi import application
from directives.choices import DeadlineRule, Priority, Role
from directives.services import obligations as obligation_services
from directives.services import tasks as task_services
from directives.services.common import SIGNATURES
from tests.api.conftest import new_authority
from tests.factories import UserFactory, make_directive, make_product

MAX_EXAMPLES = 10
SEED = 20261205
# The staff user's API token, fixed so that schemathesis applies it as the schema's ``tokenAuth`` scheme:
# it then knows the request's credentials and can take them away for the authentication checks.
TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233"

config = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True},
        },
        "auth": {"openapi": {"tokenAuth": {"api_key": f"Token {TOKEN}"}}},
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "428", "429"],
            },
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)

CALENDAR = {"calendar_country": "US", "calendar_subdivision": ""}
RECEIVED_AGO = dt.timedelta(hours=2)  # the seeded directive's receipt, before the test's "now"


def _recent_instants() -> st.SearchStrategy[str]:
    """RFC 3339 instants between the seeded directive's receipt and now (read when drawn)."""
    offsets = st.sampled_from(
        [dt.UTC, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=9))]
    )

    def render(seconds_before_now: int, zone: dt.tzinfo) -> str:
        instant = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=seconds_before_now)
        return instant.astimezone(zone).isoformat().replace("+00:00", "Z")

    within = int(RECEIVED_AGO.total_seconds()) - 600
    return st.builds(render, st.integers(min_value=60, max_value=within), offsets)


schemathesis.openapi.format("date-time", _recent_instants())

HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _seed() -> dict[str, int]:
    """A staff user with the token ``TOKEN``, and a little of everything for the fuzzer to find: an authority, products,
    a directive with an obligation and tasks (one resolved, awaiting verification). Also the ids that
    positive cases name (``_name_records``)."""
    staff: Any = UserFactory(username="fuzz-staff", is_staff=True, is_superuser=True)
    engineer: Any = UserFactory(username="fuzz-eng", role=Role.ENGINEERING)
    legal = UserFactory(username="fuzz-legal", role=Role.LEGAL)
    now = dt.datetime.now(dt.UTC)
    received = now - RECEIVED_AGO
    authority = new_authority(name="Commerce (fuzz)")
    product = make_product("Fable 5")
    directive = make_directive(
        actor=legal,
        authority=authority,
        received_at=received,
        now=now,
        products=[product, make_product("Mythos")],
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
    Token.objects.create(user=staff, key=TOKEN)
    return {
        "authority": authority.pk,
        "directive": directive.pk,
        "obligation": obligation.pk,
        "product": product.pk,
        "assignee": engineer.pk,
    }


def _name_records(case: Any, records: dict[str, int]) -> None:
    """A positive case's body names existing records where it names one by id (a schema says an id is an
    integer, not which integers are taken), and its files begin as their type's files do; a negative case is
    left as generated."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or not isinstance(case.body, dict):
        return
    _name_in(case.body, records)
    _sign_files(case.body, case.multipart_content_types or {})


# Fields naming a record by id under another name: a link's ``target`` is a directive.
ALIASES = {"target": "directive"}


def _name_in(body: dict[str, Any], records: dict[str, int]) -> None:
    for field in [*records, *ALIASES]:
        value = body.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            body[field] = records[ALIASES.get(field, field)]
    for field, code in CALENDAR.items():
        if isinstance(body.get(field), str):
            body[field] = code
    for name, value in body.items():  # the products and obligations a new directive names
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _name_in(item, records)
            if name in ("products", "links"):  # the seeded product, or a link to the seeded directive, once
                body[name] = value[:1]


def _sign_files(body: dict[str, Any], content_types: dict[str, str]) -> None:
    """Files sent as a type whose files begin with a signature (a PDF, an Outlook message) begin with it."""
    for name, kind in content_types.items():
        signature = SIGNATURES.get(kind, (b"", ""))[0]
        value = body.get(name)
        if signature and value is not None:
            body[name] = (
                [_signed(v, signature) for v in value]
                if isinstance(value, list)
                else _signed(value, signature)
            )


def _signed(value: Any, signature: bytes) -> Any:
    data = getattr(value, "data", value)
    if not isinstance(data, bytes) or data.startswith(signature):
        return value
    return type(value)(signature + data)


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
def records(db: Any) -> dict[str, int]:
    return _seed()


@schema.parametrize()
@HYPOTHESIS
def test_api_conforms_to_its_schema(case: Any, records: dict[str, int]) -> None:
    _name_records(case, records)
    with transaction.atomic():
        cache.clear()  # throttle counts of earlier examples and tests would turn valid calls into 429s
        try:
            case.call_and_validate()
        finally:
            transaction.set_rollback(True)


class APIWorkflows(schema.as_state_machine()):  # type: ignore[misc]
    """Stateful phase: chains of calls linked by the ids one response gives the next request."""

    records: dict[str, int] = {}

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

    def before_call(self, case: Any) -> None:
        _name_records(case, self.records)


@pytest.mark.django_db
def test_api_stateful_workflows() -> None:
    APIWorkflows.records = _seed()
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
