"""The product x audience access matrix, as the dashboard and the directive page show it.

"All users" is shown derived from the other audiences (directives/access.py), whatever row is stored for
it, so the matrix can never say "All users: Suspended" beside "Domestic users: Available"."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..access import ALL_USERS, everyone_state, latest
from ..models import Audience, Product, ProductAccess


@dataclass(frozen=True)
class AccessRow:
    product: Product
    cells: list[ProductAccess | None]  # one per audience, in the audiences' order


@dataclass(frozen=True)
class AccessMatrix:
    audiences: list[Audience]
    rows: list[AccessRow]


def with_all_users_derived(
    product: Product, audiences: list[Audience], cells: list[ProductAccess | None]
) -> list[ProductAccess | None]:
    """``cells`` (one per audience) with the "All users" cell read from the others."""
    keys = [a.key for a in audiences]
    if ALL_USERS not in keys:
        return cells
    index = keys.index(ALL_USERS)
    others = [c for i, c in enumerate(cells) if i != index and c is not None]
    state = everyone_state(c.state for c in others)
    if state is None:
        return cells
    derived = ProductAccess(
        product=product,
        audience=audiences[index],
        state=state,
        changed_at=latest(c.changed_at for c in others),
    )
    return [derived if i == index else c for i, c in enumerate(cells)]


def access_matrix() -> AccessMatrix:
    """Products x audiences with the current access state. Two queries: the audiences, and the products
    left-joined with their access rows (a product without any still has its row)."""
    audiences = list(Audience.objects.order_by("sort_order", "name"))
    products: dict[int, Product] = {}
    cells: dict[int, dict[int, ProductAccess]] = defaultdict(dict)
    for pk, name, access_pk, audience_id, state, changed_at in Product.objects.order_by(
        "name", "pk"
    ).values_list("pk", "name", "access__pk", "access__audience_id", "access__state", "access__changed_at"):
        product = products.get(pk)
        if product is None:
            product = products[pk] = Product(pk=pk, name=name)
        if access_pk is not None:
            cells[pk][audience_id] = ProductAccess(
                pk=access_pk, product=product, audience_id=audience_id, state=state, changed_at=changed_at
            )
    rows = [
        AccessRow(
            product=product,
            cells=with_all_users_derived(product, audiences, [cells[pk].get(a.pk) for a in audiences]),
        )
        for pk, product in products.items()
    ]
    return AccessMatrix(audiences=audiences, rows=rows)
