"""Connecting a product to the switch of its access: its control (docs/enforcement.md). Set, changed and
removed from the product's control page and ``/api/v1/products/{id}/control/``, both through these
functions. A control is configuration, like a webhook subscription, not a legal record: no timeline entry
(each access change carried out through it has its own entries)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from ..choices import ConnectorKind
from ..errors import InvalidInput, InvalidTransition
from ..models import Control, Product
from ..permissions import Action, require

MAX_TARGET_FIELDS = 12
MAX_TARGET_VALUE = 500
# A target is shown on pages and in the API: credentials belong in the environment, never here.
SECRET_NAMES = re.compile(r"secret|token|password|credential|api[_-]?key|authorization", re.IGNORECASE)


def clean_target(kind: str, target: Any) -> dict[str, str]:
    if not isinstance(target, Mapping):
        raise InvalidInput("The target must be an object of names and values.", field="target")
    if len(target) > MAX_TARGET_FIELDS:
        raise InvalidInput(f"At most {MAX_TARGET_FIELDS} target fields.", field="target")
    clean: dict[str, str] = {}
    for name, value in target.items():
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name):
            raise InvalidInput(f"Target field {name!r} is not a lower-case name.", field="target")
        if SECRET_NAMES.search(name):
            raise InvalidInput(
                f"Target field {name!r} looks like a credential: set it in the environment instead.",
                field="target",
            )
        if not isinstance(value, str) or len(value) > MAX_TARGET_VALUE:
            raise InvalidInput(
                f"Target field {name!r} must be text of at most 500 characters.", field="target"
            )
        if "\x00" in value:
            raise InvalidInput(f"Target field {name!r} contains a NUL character.", field="target")
        clean[name] = value
    if kind == ConnectorKind.WEBHOOK:
        for field in ("url", "status_url"):
            if not clean.get(field, "").startswith(("http://", "https://")):
                raise InvalidInput(f"A webhook control needs an http(s) {field}.", field="target")
    if kind == ConnectorKind.UNLEASH:
        from ..enforcement.unleash import check_target

        check_target(clean)
    return clean


@transaction.atomic
def set_control(
    *, product: Product, kind: str, target: Any = None, owner: Any = None, actor: Any = None
) -> Control:
    """Connect ``product`` to its switch (or change how it is connected)."""
    require(actor, Action.MANAGE_CONTROLS)
    if kind not in ConnectorKind.values:
        raise InvalidInput(f"Unknown connector {kind!r}.", field="kind")
    clean = clean_target(kind, target or {})
    control, _ = Control.objects.update_or_create(
        product=product, defaults={"kind": kind, "target": clean, "owner": owner, "active": True}
    )
    return control


def current_control(product: Product) -> Control | None:
    """The product's control in use (a removed one is kept, inactive, for the enforcements it carried)."""
    return Control.objects.filter(product=product, active=True).select_related("owner").first()


@transaction.atomic
def remove_control(*, product: Product, actor: Any = None) -> None:
    """Disconnect ``product``: its access changes are only recorded again. A control that carried an
    access change is kept, inactive, with its history; one that never did is deleted."""
    require(actor, Action.MANAGE_CONTROLS)
    control = Control.objects.select_for_update().filter(product=product, active=True).first()
    if control is None:
        raise InvalidTransition(f"{product.name} has no control to remove.", field="control")
    if control.enforcements.exists():
        control.active = False
        control.save(update_fields=["active"])
    else:
        control.delete()
