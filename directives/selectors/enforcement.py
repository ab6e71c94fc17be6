"""Reads for enforcement: each controlled product of a directive with its latest access change under way
or done, and the lifts waiting for a second person."""

from __future__ import annotations

from dataclasses import dataclass

from ..choices import EnforcementStatus, LiftStatus
from ..models import Control, Directive, Enforcement, LiftRequest, Product

OPEN = {EnforcementStatus.REQUESTED, EnforcementStatus.APPLIED, EnforcementStatus.FAILED}


@dataclass(frozen=True)
class ControlRow:
    control: Control
    latest: Enforcement | None  # this directive's latest change through the control

    @property
    def in_progress(self) -> bool:
        return self.latest is not None and self.latest.status in OPEN


@dataclass(frozen=True)
class EnforcementPanel:
    rows: list[ControlRow]
    lifts: list[LiftRequest]
    uncontrolled: list[str]  # products whose access is only recorded
    has_products: bool

    @property
    def in_progress(self) -> bool:
        return any(r.in_progress for r in self.rows)


def enforcement_panel(directive: Directive, products: list[Product] | None = None) -> EnforcementPanel:
    """``products``: the directive's products when the caller has them already (one query fewer)."""
    if products is None:
        products = list(directive.products.order_by("name"))
    controls = {
        c.product_id: c
        for c in Control.objects.filter(product__in=[p.pk for p in products], active=True).select_related(
            "product"
        )
    }
    uncontrolled = [p.name for p in products if p.pk not in controls]
    if not controls:  # nothing carried out by Docket: no more to read
        return EnforcementPanel(rows=[], lifts=[], uncontrolled=uncontrolled, has_products=bool(products))
    latest: dict[int, Enforcement] = {}
    for e in Enforcement.objects.filter(directive=directive, control__in=controls.values()).select_related(
        "requested_by"
    ):
        latest[e.control_id] = e  # ordered by requested_at: the last one wins
    rows = [ControlRow(control=c, latest=latest.get(c.pk)) for c in controls.values()]
    lifts = list(
        LiftRequest.objects.filter(directive=directive, status=LiftStatus.PENDING).select_related(
            "product", "requested_by"
        )
    )
    return EnforcementPanel(rows=rows, lifts=lifts, uncontrolled=uncontrolled, has_products=True)
