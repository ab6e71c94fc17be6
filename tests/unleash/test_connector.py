"""The Unleash connector against a real Unleash 7.5.1 (tests/unleash/server.py): what Docket writes through
the admin API, what users of each audience are then served (frontend API, and the flag definition backend
SDKs fetch through the client API), and Unleash's own change history."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from directives.enforcement.connectors import ConnectorRefused, ConnectorUnavailable, connector_for
from directives.enforcement.unleash import UnleashConnector

from .server import ENVIRONMENT, PROJECT, Unleash, free_port, unavailable

AUDIENCES = {
    "foreign-nationals": "foreign",
    "domestic-users": "domestic",
    "government-agencies": "government",
}
BLOCK_FOREIGN = {
    "foreign-nationals": "restricted",
    "domestic-users": "available",
    "government-agencies": "available",
}
SHUTDOWN = {"all-users": "suspended"}
EVERYONE = ("all-users", *AUDIENCES)


def target(flag: str | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "project": PROJECT,
        "environment": ENVIRONMENT,
        "context_field": "nationality",
        "audiences": AUDIENCES,
    }
    if flag:
        config["flag"] = flag
    return config


def seen(product: str, flag: str | None = None) -> dict[str, str]:
    connector = connector_for("unleash")
    return {a: connector.evaluate(target=target(flag), product=product, audience=a) for a in EVERYONE}


def client_api_flag(server: Unleash, flag: str) -> dict[str, Any]:
    """The flag as a backend SDK fetches it with the client token."""
    response = requests.get(
        f"{server.url}/api/client/features", headers={"Authorization": server.client_token}, timeout=10
    )
    response.raise_for_status()
    return next(f for f in response.json()["features"] if f["name"] == flag)


def test_the_order_blocks_foreign_nationals_then_the_shutdown_suspends_every_audience(
    unleash: Unleash,
) -> None:
    connector = connector_for("unleash")
    assert connector.kind == "unleash"
    for product, flag in (("Mythos", "mythos"), ("Fable 5", "fable-5")):
        applied = connector.apply(target=target(), product=product, states=BLOCK_FOREIGN, key=f"order:{flag}")
        assert applied.detail["flag"] == flag
        assert applied.detail["constraint"] == "nationality NOT_IN [foreign]"
        assert applied.detail["changes"] == ["created the flag", "added the strategy", "enabled the flag"]
        assert applied.detail["served_after_ms"] is not None
        assert seen(product) == {
            "all-users": "restricted",
            "foreign-nationals": "restricted",
            "domestic-users": "available",
            "government-agencies": "available",
        }
        [strategy] = client_api_flag(unleash, flag)["strategies"]
        assert strategy["constraints"][0]["operator"] == "NOT_IN"
        assert strategy["constraints"][0]["values"] == ["foreign"]

    for product, flag in (("Mythos", "mythos"), ("Fable 5", "fable-5")):
        applied = connector.apply(target=target(), product=product, states=SHUTDOWN, key=f"shutdown:{flag}")
        assert applied.detail["changes"] == ["disabled the flag"]
        assert applied.detail["constraint"] == "flag disabled"
        assert seen(product) == dict.fromkeys(EVERYONE, "suspended")
        assert client_api_flag(unleash, flag)["enabled"] is False
        assert unleash.environment(flag)["enabled"] is False


def test_applying_the_same_states_twice_changes_nothing_the_second_time(unleash: Unleash) -> None:
    connector = connector_for("unleash")
    first = connector.apply(target=target("twice"), product="Twice", states=BLOCK_FOREIGN, key="k1")
    history = unleash.events("twice")
    second = connector.apply(target=target("twice"), product="Twice", states=BLOCK_FOREIGN, key="k1")
    assert first.detail["changes"] and second.detail["changes"] == []
    assert unleash.events("twice") == history

    connector.apply(target=target("twice"), product="Twice", states=SHUTDOWN, key="k2")
    connector.apply(target=target("twice"), product="Twice", states=SHUTDOWN, key="k2")
    disabled = [e for e in unleash.events("twice") if e["type"] == "feature-environment-disabled"]
    assert len(disabled) == 1


def test_unleash_stopped_midway_is_unavailable_and_the_retry_makes_one_change(unleash: Unleash) -> None:
    connector = connector_for("unleash")
    connector.apply(target=target("outage"), product="Outage", states=BLOCK_FOREIGN, key="order")
    unleash.stop()
    with pytest.raises(ConnectorUnavailable):
        connector.apply(target=target("outage"), product="Outage", states=SHUTDOWN, key="shutdown")
    with pytest.raises(ConnectorUnavailable):
        connector.evaluate(target=target("outage"), product="Outage", audience="domestic-users")
    unleash.start()
    retried = connector.apply(target=target("outage"), product="Outage", states=SHUTDOWN, key="shutdown")
    again = connector.apply(target=target("outage"), product="Outage", states=SHUTDOWN, key="shutdown")
    assert retried.detail["changes"] == ["disabled the flag"] and again.detail["changes"] == []
    disabled = [e for e in unleash.events("outage") if e["type"] == "feature-environment-disabled"]
    assert len(disabled) == 1
    assert seen("Outage", "outage") == dict.fromkeys(EVERYONE, "suspended")


def test_a_flag_re_enabled_directly_in_unleash_is_what_evaluate_reports(unleash: Unleash) -> None:
    connector = connector_for("unleash")
    connector.apply(target=target("drift"), product="Drift", states=BLOCK_FOREIGN, key="order")
    connector.apply(target=target("drift"), product="Drift", states=SHUTDOWN, key="shutdown")
    assert seen("Drift", "drift")["domestic-users"] == "suspended"

    unleash.admin("POST", f"/api/admin/projects/{PROJECT}/features/drift/environments/{ENVIRONMENT}/on")
    deadline = time.monotonic() + 5
    while seen("Drift", "drift")["domestic-users"] == "suspended" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert seen("Drift", "drift") == {
        "all-users": "restricted",
        "foreign-nationals": "restricted",
        "domestic-users": "available",
        "government-agencies": "available",
    }

    # Applying the recorded states again puts the flag back, with one change.
    applied = connector.apply(target=target("drift"), product="Drift", states=SHUTDOWN, key="shutdown")
    assert applied.detail["changes"] == ["disabled the flag"]
    assert seen("Drift", "drift") == dict.fromkeys(EVERYONE, "suspended")


def test_lifting_the_block_removes_the_constraint_and_a_foreign_strategy(unleash: Unleash) -> None:
    connector = connector_for("unleash")
    connector.apply(target=target("lift"), product="Lift", states=BLOCK_FOREIGN, key="order")
    unleash.admin(
        "POST",
        f"/api/admin/projects/{PROJECT}/features/lift/environments/{ENVIRONMENT}/strategies",
        {"name": "default", "parameters": {}, "constraints": []},
    )
    everyone = dict.fromkeys(AUDIENCES, "available")
    applied = connector.apply(target=target("lift"), product="Lift", states=everyone, key="lift")
    assert applied.detail["changes"] == ["updated the strategy", "removed another strategy"]
    assert applied.detail["constraint"] == "no constraint"
    [strategy] = unleash.environment("lift")["strategies"]
    assert strategy["constraints"] == []
    assert seen("Lift", "lift") == dict.fromkeys(EVERYONE, "available")


def test_refusals_name_the_problem_and_never_the_token(unleash: Unleash) -> None:
    connector = connector_for("unleash")
    with pytest.raises(ConnectorRefused, match="no environment 'staging'"):
        connector.apply(
            target={**target("refused"), "environment": "staging"},
            product="Refused",
            states=SHUTDOWN,
            key="k",
        )
    with pytest.raises(ConnectorRefused, match="share a context value"):
        connector.apply(
            target={**target("refused"), "audiences": {"foreign-nationals": "x", "domestic-users": "x"}},
            product="Refused",
            states=SHUTDOWN,
            key="k",
        )
    with pytest.raises(ConnectorRefused, match="available, restricted or suspended"):
        connector.apply(target=target("refused"), product="Refused", states={"all-users": "gone"}, key="k")

    wrong = "*:*.not-a-token-unleash-knows"
    stranger = UnleashConnector(url=unleash.url, admin_token=wrong, frontend_token=unleash.frontend_token)
    with pytest.raises(ConnectorRefused, match=r"\(401\)") as refused:
        stranger.apply(target=target("refused"), product="Refused", states=SHUTDOWN, key="k")
    assert wrong not in str(refused.value)

    elsewhere = UnleashConnector(
        url=unleash.url, admin_token=unleash.admin_token, frontend_token="default:production." + "f" * 32
    )
    with pytest.raises(ConnectorRefused, match="environment 'production'"):
        elsewhere.evaluate(target=target("refused"), product="Refused", audience="domestic-users")

    applied = connector.apply(target=target("refused"), product="Refused", states=SHUTDOWN, key="k")
    assert unleash.admin_token not in str(applied.detail) and unleash.frontend_token not in str(
        applied.detail
    )


def test_an_unreachable_server_is_unavailable_not_refused(settings: Any) -> None:
    nowhere = UnleashConnector(
        url=f"http://127.0.0.1:{free_port()}", admin_token="a", frontend_token="f", timeout=2
    )
    with pytest.raises(ConnectorUnavailable):
        nowhere.evaluate(target=target(), product="Fable 5", audience="foreign-nationals")
    settings.UNLEASH_URL = ""
    with pytest.raises(ConnectorRefused, match="not configured"):
        connector_for("unleash")


def test_without_ci_a_missing_server_skips_with_the_reason_and_under_ci_fails(monkeypatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node and npm are needed"):
        unavailable("node and npm are needed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="needed under CI=true"):
        unavailable("node and npm are needed")
