"""The escalation engine: policies -> ladders, the hooks the task and obligation services call, the sweep,
and reschedule.

How a subject (a remediation task or an obligation) moves up its ladder
------------------------------------------------------------------------
A policy's steps fire at ``due_at + offset`` (level 0 is the reminder before due; levels 1, 2, ... at
or after it); a step with ``repeat_every`` fires again at that interval until the next step's instant.
The subject's ``next_escalation_at`` is the marker: every firing before it has been handled, the sweep
handles every firing in ``[next_escalation_at, now]`` and moves the marker on (``ladder.next_marker``, the
one rule the hooks, the sweep and reschedule share). After downtime that window holds several firings
(catch-up): each missed step is recorded once, in order (repetitions of one step collapse to the latest),
and only the last, highest one is notified. A reminder whose instant passed before its subject existed
(or before the directive was received) is recorded as skipped, said once on the timeline, and never sent.

Modules, by job:
- ``ladder``: steps, firings and the marker rule, as pure functions of plain data;
- ``policies``: the active policies read into ladders, and what a subject has already fired;
- ``hooks``: what the task and obligation services call when a subject is created, changed or closed;
- ``messages``: the timeline summaries and notification rows, as pure functions;
- ``sweep``: claim the due subjects, plan their firings, write the batch;
- ``reschedule``: recompute every marker after a policy changed.
"""
