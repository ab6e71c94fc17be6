"""The dashboard's receipt -> shutdown counts from the confirmed instant where a control confirmed the
suspension, and says which figures are only typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from directives.choices import AccessState, DirectiveStatus
from directives.models import Audience
from directives.selectors import dashboard as selectors
from directives.services import controls
from directives.services import directives as directive_services
from directives.services import enforcement as enforcement_services
from directives.services.products import record_access_change
from tests.factories import ET_FRIDAY_1721, make_directive, make_product

TYPED_AT = ET_FRIDAY_1721 + dt.timedelta(minutes=27)  # 17:48 ET as typed
CONFIRMED_AT = ET_FRIDAY_1721 + dt.timedelta(minutes=31)


def in_effect(directive: Any, legal: Any) -> None:
    directive_services.transition_directive(
        directive=directive,
        to_status=DirectiveStatus.IN_EFFECT,
        occurred_at=ET_FRIDAY_1721 + dt.timedelta(minutes=20),
        actor=legal,
        now=ET_FRIDAY_1721 + dt.timedelta(minutes=20),
    )


def suspend(product: Any, directive: Any, actor: Any) -> None:
    record_access_change(
        product=product,
        audiences=[Audience.objects.get(key="all-users")],
        state=AccessState.SUSPENDED,
        directive=directive,
        occurred_at=TYPED_AT,
        actor=actor,
        now=TYPED_AT,
    )


def test_confirmed_instant_counts_and_typed_ones_are_said(client, switch, legal) -> None:
    fable, mythos = make_product("Fable 5"), make_product("Mythos")
    controls.set_control(product=fable, kind="webhook", target=switch.target())
    proven = make_directive(actor=legal, products=[fable], reference="BIS-PROVEN")
    typed = make_directive(actor=legal, products=[mythos], reference="BIS-TYPED")
    for d in (proven, typed):
        in_effect(d, legal)
    suspend(fable, proven, legal)
    suspend(mythos, typed, legal)
    enforcement_services.run_due(now=CONFIRMED_AT)
    board = selectors.dashboard(now=CONFIRMED_AT + dt.timedelta(hours=1))
    rows = {r.directive.reference: r for r in board.responses}
    assert rows["BIS-PROVEN"].shutdown == CONFIRMED_AT and not rows["BIS-PROVEN"].typed
    assert rows["BIS-PROVEN"].to_shutdown == dt.timedelta(minutes=31)
    assert rows["BIS-TYPED"].shutdown == TYPED_AT and rows["BIS-TYPED"].typed
    assert (board.tiles.shutdown_samples, board.tiles.shutdown_typed) == (2, 1)
    client.force_login(legal)
    page = client.get(reverse("dashboard")).content.decode()
    assert "1 only typed, not confirmed by a control" in page
    assert "only typed: no control confirmed it" in page and "confirmed by its control" in page
