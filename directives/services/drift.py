"""The drift watch: every control evaluated as each audience; a live access that differs from the recorded
one (someone turned a flag back on while the order stands) is recorded as "drift detected", with both
states, and escalated to legal and the product's owner at once. A drift already reported is not reported
again until it ends; a control with an access change under way is not judged."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction

from ..choices import ConnectorKind, EntryKind
from ..enforcement.connectors import ConnectorRefused, ConnectorUnavailable, connector_for
from ..escalation.enforcement import escalate_access
from ..models import AccessChange, Control, Enforcement
from .enforcement import OPEN, confirmable, recorded_states
from .timeline import append_entry

log = logging.getLogger("docket.enforcement")


@dataclass
class DriftResult:
    checked: int = 0
    drifted: int = 0
    unreachable: int = 0


def watch(*, now: dt.datetime) -> DriftResult:
    result = DriftResult()
    controls = Control.objects.filter(active=True).exclude(kind=ConnectorKind.MANUAL)
    for control in controls.select_related("product", "owner"):
        if Enforcement.objects.filter(control=control, status__in=OPEN).exists():
            continue
        result.checked += 1
        try:
            drifted = check(control, now=now)
        except (ConnectorUnavailable, ConnectorRefused) as exc:
            result.unreachable += 1
            Control.objects.filter(pk=control.pk).update(drift_checked_at=now, drift_error=str(exc)[:500])
            continue
        result.drifted += int(drifted)
    return result


def check(control: Control, *, now: dt.datetime) -> bool:
    """Evaluate ``control`` as each audience; True when a new drift was recorded."""
    recorded = recorded_states(control.product)
    connector = connector_for(control.kind)
    live = {
        a: connector.evaluate(target=control.target, product=control.product.name, audience=a)
        for a in confirmable(recorded)
    }
    differs = {a: {"recorded": recorded[a], "live": s} for a, s in live.items() if s != recorded.get(a)}
    with transaction.atomic():
        row = Control.objects.select_for_update().get(pk=control.pk)
        row.drift_checked_at, row.drift_error = now, ""
        reported = row.drift_live == {a: v["live"] for a, v in differs.items()}
        row.drift_live = {a: v["live"] for a, v in differs.items()}
        row.save(update_fields=["drift_checked_at", "drift_error", "drift_live"])
        if not differs or reported:
            return False
        _record(control, differs, now=now)
    return True


def _record(control: Control, differs: dict[str, dict[str, str]], *, now: dt.datetime) -> None:
    last = AccessChange.objects.filter(product=control.product).select_related("directive").last()
    if last is None:
        log.warning("drift on %s with no access change on record: %s", control.product, differs)
        return
    product = control.product
    words = "; ".join(f"{a} recorded {v['recorded']}, live {v['live']}" for a, v in differs.items())
    append_entry(
        directive=last.directive,
        kind=EntryKind.DRIFT_DETECTED,
        occurred_at=now,
        actor=None,
        now=now,
        product=product,
        summary=f"{product}: drift detected, the live access differs from the record ({words})",
        data={"connector": control.kind, "audiences": differs},
    )
    escalate_access(
        directive=last.directive,
        control=control,
        subject=f"[Docket] {product}: live access differs from the record",
        text=f"{last.directive.reference}: {product}'s live access differs from the record ({words}).",
        data={"product": product.name, "audiences": differs},
        stamp=f"drift:{control.pk}:{now.timestamp():.6f}",
        now=now,
    )
