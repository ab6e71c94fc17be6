"""What "All users" reads in the access matrix: never a state of its own that could contradict the audiences.

"All users" is derived from the other audiences: the state they all share, or Restricted (available to
some audiences only) when they differ. Recording a change for "All users" changes every audience; recording
one for a single audience moves "All users" with it. Pure Python: the service that writes access and the
selectors that show it both ask here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .choices import AccessState

ALL_USERS = "all-users"


def everyone_state(states: Iterable[str]) -> AccessState | None:
    """The state "All users" reads given the other audiences' states; None when there is no other audience."""
    distinct = {AccessState(s) for s in states}
    if not distinct:
        return None
    if len(distinct) == 1:
        return distinct.pop()
    return AccessState.RESTRICTED


def latest(instants: Iterable[dt.datetime | None]) -> dt.datetime | None:
    """When the combination last changed: the latest of the audiences' own changes."""
    known = [i for i in instants if i is not None]
    return max(known) if known else None
