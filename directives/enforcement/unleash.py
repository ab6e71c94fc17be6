"""The Unleash connector: a product's access is one feature flag in an Unleash project and environment.

Written through Unleash's admin API, read back through its frontend API (the server evaluates the flag for a
context, as a product's own SDK would see it):

- every audience available: the flag enabled with one 100 % rollout strategy and no constraint;
- some audiences blocked (e.g. foreign nationals): the same strategy with one constraint,
  ``<context field> NOT_IN [<the blocked audiences' values>]``;
- no audience available ("suspended for all users"): the flag disabled in the environment.

The target (a control's non-secret configuration)::

    {"project": "default", "environment": "production", "flag": "fable-5",
     "context_field": "nationality",
     "audiences": {"foreign-nationals": "foreign", "domestic-users": "domestic", ...}}

``audiences`` maps each audience key to the context field's value its users carry (or is the same as text,
``"foreign-nationals=foreign, domestic-users=domestic"``, as a control's target stores it); "all-users" is
every audience at once. Unleash only knows on or off per audience, so evaluation reads an audience that is off as
"suspended" when no audience has access and as "restricted" when some other audience still has.

Docket owns the flag's strategies in that environment: applying replaces any other strategy there. Applying
reads the flag first and writes only what differs, so the same states applied twice change nothing the
second time; after a write it waits (bounded) until the frontend API serves the new states.
Credentials (``UNLEASH_URL``, ``UNLEASH_ADMIN_TOKEN``, ``UNLEASH_FRONTEND_TOKEN``) come from settings only."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings

from ..access import ALL_USERS, everyone_state
from ..choices import AccessState
from ..errors import InvalidInput
from .connectors import Applied, ConnectorRefused, ConnectorUnavailable

DEFAULT_AUDIENCES: dict[str, str] = {
    "foreign-nationals": "foreign",
    "domestic-users": "domestic",
    "government-agencies": "government",
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~-]{0,99}$")
_STATES = {state.value for state in AccessState}
_ROLLOUT = "flexibleRollout"


@dataclass(frozen=True)
class Target:
    project: str
    environment: str
    flag: str
    field: str
    audiences: dict[str, str]  # audience key -> the context field's value

    @classmethod
    def parse(cls, target: Mapping[str, Any], product: str) -> Target:
        """The target's settings, checked; ``ConnectorRefused`` names what is wrong."""
        flag = str(target.get("flag") or _slug(product))
        values = {
            "project": str(target.get("project") or "default"),
            "environment": str(target.get("environment") or "production"),
            "flag": flag,
            "context_field": str(target.get("context_field") or "nationality"),
        }
        for name, value in values.items():
            if not _NAME.match(value):
                raise ConnectorRefused(f"Unleash target: {name} {value[:100]!r} is not a valid name.")
        raw = _audience_values(target.get("audiences") or DEFAULT_AUDIENCES)
        if not raw or len(raw) > 20:
            raise ConnectorRefused(
                "Unleash target: audiences must map 1 to 20 audience keys to context values"
                " (as text: foreign-nationals=foreign, domestic-users=domestic)."
            )
        audiences = {str(k): str(v) for k, v in raw.items() if str(k) != ALL_USERS}
        if not audiences or any(not v or len(v) > 100 for v in audiences.values()):
            raise ConnectorRefused(
                "Unleash target: each audience needs a context value of 1 to 100 characters."
            )
        if len(set(audiences.values())) != len(audiences):
            raise ConnectorRefused(
                "Unleash target: two audiences share a context value; Unleash could not tell them apart."
            )
        return cls(values["project"], values["environment"], flag, values["context_field"], audiences)

    @property
    def feature_path(self) -> str:
        return f"/api/admin/projects/{quote(self.project)}/features/{quote(self.flag)}"

    @property
    def environment_path(self) -> str:
        return f"{self.feature_path}/environments/{quote(self.environment)}"

    def strategy(self, blocked: list[str]) -> dict[str, Any]:
        """Docket's strategy: everyone, except users whose context value is one of ``blocked``."""
        constraints = []
        if blocked:
            values = sorted(self.audiences[a] for a in blocked)
            constraints.append(
                {
                    "contextName": self.field,
                    "operator": "NOT_IN",
                    "values": values,
                    "inverted": False,
                    "caseInsensitive": False,
                }
            )
        return {
            "name": _ROLLOUT,
            "parameters": {"rollout": "100", "stickiness": "default", "groupId": self.flag},
            "constraints": constraints,
            "disabled": False,
        }


FIELDS = frozenset({"project", "environment", "flag", "context_field", "audiences"})


def check_target(target: Mapping[str, Any]) -> None:
    """For the control's form and the API: ``InvalidInput`` naming what an Unleash target gets wrong."""
    unknown = sorted(set(target) - FIELDS)
    if unknown:
        raise InvalidInput(
            f"An Unleash target has no field {unknown[0]!r} (its fields: {', '.join(sorted(FIELDS))}).",
            field="target",
        )
    try:
        Target.parse(target, "product")
    except ConnectorRefused as exc:
        raise InvalidInput(str(exc), field="target") from None


def _audience_values(raw: Any) -> Mapping[str, Any]:
    """``audiences`` as a mapping, or as text ("foreign-nationals=foreign, domestic-users=domestic", the form
    a control's target stores); empty when it is neither."""
    if isinstance(raw, Mapping):
        return raw
    if not isinstance(raw, str):
        return {}
    pairs = [part.partition("=") for part in raw.split(",") if part.strip()]
    if any(not sep for _, sep, _ in pairs):
        return {}
    return {key.strip(): value.strip() for key, _, value in pairs}


def _slug(product: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", product.lower()).strip("-")[:100] or "product"


def _shape(strategy: Mapping[str, Any]) -> tuple[Any, ...]:
    """What matters of a strategy for comparing it with Docket's (ignores ids, order and formatting)."""
    params = strategy.get("parameters") or {}
    constraints = sorted(
        (
            c.get("contextName"),
            c.get("operator"),
            tuple(sorted(c.get("values") or [])),
            bool(c.get("inverted")),
            bool(c.get("caseInsensitive")),
        )
        for c in strategy.get("constraints") or []
    )
    return (
        strategy.get("name"),
        str(params.get("rollout", "")),
        params.get("stickiness"),
        params.get("groupId"),
        tuple(constraints),
        bool(strategy.get("disabled")),
        tuple(strategy.get("segments") or ()),
        tuple(str(v) for v in strategy.get("variants") or ()),
    )


class UnleashConnector:
    kind = "unleash"

    def __init__(
        self,
        *,
        url: str | None = None,
        admin_token: str | None = None,
        frontend_token: str | None = None,
        timeout: float | None = None,
        propagation_seconds: float | None = None,
    ) -> None:
        self.url = (url if url is not None else settings.UNLEASH_URL).rstrip("/")
        self._admin = admin_token if admin_token is not None else settings.UNLEASH_ADMIN_TOKEN
        self._frontend = frontend_token if frontend_token is not None else settings.UNLEASH_FRONTEND_TOKEN
        self.timeout = timeout if timeout is not None else settings.UNLEASH_TIMEOUT_SECONDS
        self.propagation_seconds = (
            propagation_seconds if propagation_seconds is not None else settings.UNLEASH_PROPAGATION_SECONDS
        )
        if not self.url or not self._admin or not self._frontend:
            raise ConnectorRefused(
                "The Unleash connector is not configured: set UNLEASH_URL, UNLEASH_ADMIN_TOKEN and "
                "UNLEASH_FRONTEND_TOKEN."
            )

    # -- HTTP -------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, token: str, body: Any = None, missing_ok: bool = False) -> Any:
        """One request with a timeout; network trouble and 5xx/429 raise ConnectorUnavailable, other 4xx
        ConnectorRefused (404 returns None when ``missing_ok``). Messages never carry a token."""
        headers = {"Authorization": token, "Accept": "application/json"}
        try:
            response = requests.request(
                method,
                self.url + path,
                json=body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise ConnectorUnavailable(
                f"Unleash did not answer {method} {path}: {type(exc).__name__}."
            ) from None
        status = response.status_code
        if status == 404 and missing_ok:
            return None
        if status >= 500 or status == 429:
            raise ConnectorUnavailable(f"Unleash answered {status} to {method} {path}.")
        if status >= 300:
            raise ConnectorRefused(f"Unleash refused {method} {path} ({status}): {_message(response)}")
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ConnectorUnavailable(
                f"Unleash answered {method} {path} with something other than JSON."
            ) from None

    def _admin_call(self, method: str, path: str, body: Any = None, *, missing_ok: bool = False) -> Any:
        return self._call(method, path, token=self._admin, body=body, missing_ok=missing_ok)

    # -- apply ------------------------------------------------------------------------------------

    def apply(
        self, *, target: Mapping[str, Any], product: str, states: Mapping[str, str], key: str
    ) -> Applied:
        t = Target.parse(target, product)
        _check_states(states)
        feature = self._admin_call("GET", t.feature_path, missing_ok=True)
        changes: list[str] = []
        if feature is None:
            self._admin_call(
                "POST", f"/api/admin/projects/{quote(t.project)}/features", _new_flag(t, product)
            )
            changes.append("created the flag")
            feature = self._admin_call("GET", t.feature_path)
        environment = _environment(feature, t)
        current_on = _live_audiences(environment, t)
        wanted = {a: _wanted(states, a, current_on[a]) for a in t.audiences}
        blocked = [a for a, on in wanted.items() if not on]
        if len(blocked) < len(wanted):
            changes += self._write_strategy(t, environment.get("strategies") or [], blocked)
            if not environment.get("enabled"):
                self._admin_call("POST", f"{t.environment_path}/on")
                changes.append("enabled the flag")
        elif environment.get("enabled"):
            self._admin_call("POST", f"{t.environment_path}/off")
            changes.append("disabled the flag")
        served_ms = self._wait_until_served(t, wanted) if changes else 0
        return Applied(
            detail={
                "server": "unleash",
                "project": t.project,
                "environment": t.environment,
                "flag": t.flag,
                "enabled": len(blocked) < len(wanted),
                "blocked": sorted(blocked),
                "constraint": _constraint_text(t, blocked, len(wanted)),
                "changes": changes,
                "served_after_ms": served_ms,
                "key": key[:200],
            }
        )

    def _write_strategy(self, t: Target, strategies: list[dict[str, Any]], blocked: list[str]) -> list[str]:
        """Makes Docket's strategy the environment's only one; returns what it changed."""
        desired = t.strategy(blocked)
        path = f"{t.environment_path}/strategies"
        changes: list[str] = []
        keep = next((s for s in strategies if _shape(s) == _shape(desired)), None)
        if keep is None and strategies:
            keep = strategies[0]
            self._admin_call("PUT", f"{path}/{quote(str(keep['id']))}", desired)
            changes.append("updated the strategy")
        elif keep is None:
            self._admin_call("POST", path, desired)
            changes.append("added the strategy")
        for other in strategies:
            if other is not keep:
                self._admin_call("DELETE", f"{path}/{quote(str(other['id']))}")
                changes.append("removed another strategy")
        return changes

    def _wait_until_served(self, t: Target, wanted: Mapping[str, bool]) -> int | None:
        """Milliseconds until the frontend API evaluates every audience as applied; None past the bound."""
        started = time.monotonic()
        while True:
            if all(self._enabled_for(t, value) == wanted[a] for a, value in t.audiences.items()):
                return round((time.monotonic() - started) * 1000)
            if time.monotonic() - started > self.propagation_seconds:
                return None
            time.sleep(0.1)

    # -- evaluate ---------------------------------------------------------------------------------

    def evaluate(self, *, target: Mapping[str, Any], product: str, audience: str) -> str:
        t = Target.parse(target, product)
        if audience != ALL_USERS and audience not in t.audiences:
            raise ConnectorRefused(f"Unleash target has no context value for audience {audience[:100]!r}.")
        _check_frontend_scope(self._frontend, t)
        if audience != ALL_USERS and self._enabled_for(t, t.audiences[audience]):
            return str(AccessState.AVAILABLE)
        on = {a: self._enabled_for(t, value) for a, value in t.audiences.items() if a != audience}
        if audience == ALL_USERS:
            states = [AccessState.AVAILABLE if v else AccessState.SUSPENDED for v in on.values()]
            return str(everyone_state(states) or AccessState.SUSPENDED)
        return str(AccessState.RESTRICTED if any(on.values()) else AccessState.SUSPENDED)

    def _enabled_for(self, t: Target, value: str) -> bool:
        """Whether the frontend API serves the flag as enabled to a user whose context field is ``value``."""
        body = {"context": {"appName": "docket", "properties": {t.field: value}}}
        answer = self._call("POST", "/api/frontend", token=self._frontend, body=body) or {}
        toggles = answer.get("toggles") if isinstance(answer, dict) else None
        if not isinstance(toggles, list):
            raise ConnectorUnavailable("Unleash's frontend API answered without a list of flags.")
        return any(isinstance(x, dict) and x.get("name") == t.flag and x.get("enabled") for x in toggles)


def _check_frontend_scope(token: str, t: Target) -> None:
    """A frontend token scoped to another project or environment sees no flag of the target's, which would
    read as "suspended" for everyone: refuse instead. Unleash's tokens start ``<project>:<environment>.``."""
    scope, dot, _ = token.partition(".")
    project, colon, environment = scope.partition(":")
    if not dot or not colon:
        return  # a token of another form: its scope cannot be read from it
    if environment not in ("*", t.environment) or project not in ("*", "[]", t.project):
        raise ConnectorRefused(
            f"UNLEASH_FRONTEND_TOKEN is for project {project[:50]!r}, environment {environment[:50]!r}; "
            f"the control's flag is in project {t.project!r}, environment {t.environment!r}."
        )


def _check_states(states: Mapping[str, str]) -> None:
    if not states or len(states) > 20 or any(str(v) not in _STATES for v in states.values()):
        raise ConnectorRefused("States must map audiences to available, restricted or suspended.")


def _wanted(states: Mapping[str, str], audience: str, current: bool) -> bool:
    """Whether ``audience`` should have access: its own state, else "all-users", else as it is now."""
    state = states.get(audience, states.get(ALL_USERS))
    return current if state is None else state == AccessState.AVAILABLE


def _environment(feature: Mapping[str, Any], t: Target) -> dict[str, Any]:
    for environment in feature.get("environments") or []:
        if environment.get("name") == t.environment:
            return dict(environment)
    raise ConnectorRefused(f"Unleash project {t.project!r} has no environment {t.environment!r}.")


def _live_audiences(environment: Mapping[str, Any], t: Target) -> dict[str, bool]:
    """Which audiences the configuration gives access, read from Docket's strategy (used only for the
    audiences a request leaves out); any other strategy counts as access for everyone."""
    if not environment.get("enabled"):
        return dict.fromkeys(t.audiences, False)
    blocked: set[str] = set()
    for strategy in environment.get("strategies") or []:
        for c in strategy.get("constraints") or []:
            if c.get("contextName") == t.field and c.get("operator") == "NOT_IN" and not c.get("inverted"):
                blocked |= {str(v) for v in c.get("values") or []}
    return {a: value not in blocked for a, value in t.audiences.items()}


def _new_flag(t: Target, product: str) -> dict[str, Any]:
    return {
        "name": t.flag,
        "type": "kill-switch",
        "description": f"Access to {product[:200]} (switched by Docket)",
        "impressionData": False,
    }


def _constraint_text(t: Target, blocked: list[str], audiences: int) -> str:
    if len(blocked) == audiences:
        return "flag disabled"
    if not blocked:
        return "no constraint"
    return f"{t.field} NOT_IN [{', '.join(sorted(t.audiences[a] for a in blocked))}]"


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("details") or body)[:200]
    return str(body)[:200]
