# ruff: noqa: S608 - benchmark SQL built from constants and database names this code chose, no user input
"""The SQL lower bound of a sweep: the same escalation rows, timeline entries, outbox rows and task updates
as ``directives.escalation.sweep.sweep`` makes for *newly due* tasks, written set-based in a handful of
statements on the server, with no Python per row.

What it does as the sweep does: claims the due rows with ``FOR UPDATE SKIP LOCKED`` (through the partial
index), one escalation row per task for the step whose instant is the task's marker (the unique
constraint backs it with ``ON CONFLICT DO NOTHING``), a timeline entry per escalation chained per
directive from that chain's head (SHA-256 over the previous hash and the entry's content, computed in a
recursive CTE, one chain link per step), one outbox row for the assignee and one per notified role group
that has members with an address (the group is addressed when the email is sent, as the sweep does), and the task's new level and marker (the next step's instant).

What it leaves out (so it is a lower bound, not an alternative implementation): catch-up over several
steps and repetitions, obligations, the canonical-JSON hash of ``services.timeline`` (the SQL hash covers
the same fields in a simpler text form), webhooks and the ``SweepRun`` row.

    python bench/lower_bound.py --db docket_bench_lb --now 2026-11-29T15:00:00+00:00
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

# Run as a script (python bench/lower_bound.py): the repository root is what makes `bench` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cpu import CpuMeter

ACTIVE = "('open', 'in_progress', 'blocked')"

STATEMENTS: list[tuple[str, str]] = [
    (
        "claim",
        f"""
CREATE TEMP TABLE lb_due ON COMMIT DROP AS
WITH claimed AS (
    SELECT t.id, t.directive_id, t.title, t.priority, t.due_at, t.next_escalation_at AS at, t.assignee_id
    FROM directives_remediationtask t
    WHERE t.status IN {ACTIVE} AND t.next_escalation_at IS NOT NULL AND t.next_escalation_at <= %(now)s
    FOR UPDATE SKIP LOCKED
)
SELECT c.*, s.id AS step_id, s.level, s.name AS step_name, s.notify_assignee,
       c.due_at + (SELECT min(s2."offset") FROM directives_escalationstep s2
                   WHERE s2.policy_id = p.id AND c.due_at + s2."offset" > %(now)s) AS next_at,
       d.reference
FROM claimed c
JOIN directives_escalationpolicy p ON p.applies_to = 'task' AND p.priority = c.priority AND p.active
JOIN directives_escalationstep s ON s.policy_id = p.id AND c.due_at + s."offset" = c.at
JOIN directives_directive d ON d.id = c.directive_id
""",
    ),
    (
        "lock chains",
        """
SELECT id FROM directives_directive WHERE id IN (SELECT DISTINCT directive_id FROM lb_due) ORDER BY id FOR UPDATE
""",
    ),
    (
        "escalations",
        """
INSERT INTO directives_escalation (task_id, obligation_id, directive_id, step_id, level, repeat, name, reminder,
                                   due_at, scheduled_at, fired_at, notified, superseded_at, superseded_reason)
SELECT id, NULL, directive_id, step_id, level, 0, step_name, level = 0, due_at, at, %(now)s, true, NULL, ''
FROM lb_due
ON CONFLICT (task_id, level, repeat) WHERE superseded_at IS NULL AND task_id IS NOT NULL DO NOTHING
""",
    ),
    (
        "timeline items",
        """
CREATE TEMP TABLE lb_items ON COMMIT DROP AS
SELECT e.directive_id, e.task_id,
       row_number() OVER (PARTITION BY e.directive_id ORDER BY e.scheduled_at, e.task_id) AS k,
       e.scheduled_at AS occurred_at,
       'Task escalated to level ' || e.level || ': ' || e.name || ': ''' || d.title || ''', '
         || to_char(%(now)s::timestamptz - d.due_at, 'FMHH24 "h" FMMI "min"') || ' overdue.' AS summary,
       jsonb_build_object('level', e.level, 'repeat', e.repeat, 'step', e.name,
                          'scheduled_at', e.scheduled_at, 'due_at', e.due_at,
                          'notified', true, 'catch_up', false) AS data
FROM directives_escalation e JOIN lb_due d ON d.id = e.task_id
WHERE e.fired_at = %(now)s AND e.superseded_at IS NULL AND e.level = d.level
""",
    ),
    # The chain walk below looks up each directive's k-th item: one index step per entry.
    ("timeline items index", "CREATE INDEX ON lb_items (directive_id, k)"),
    (
        "timeline",
        """
INSERT INTO directives_timelineentry (directive_id, seq, kind, occurred_at, recorded_at, actor_id, actor_label,
                                      summary, data, obligation_id, task_id, product_id, supersedes_id,
                                      prev_hash, hash)
WITH RECURSIVE heads AS (
    SELECT h.directive_id, h.seq, h.hash
    FROM (SELECT DISTINCT directive_id FROM lb_items) x
    CROSS JOIN LATERAL (
        SELECT t.directive_id, t.seq, t.hash FROM directives_timelineentry t
        WHERE t.directive_id = x.directive_id ORDER BY t.seq DESC LIMIT 1
    ) h
),
chain AS (
    SELECT i.directive_id, i.k, h.seq + 1 AS seq, h.hash::text AS prev_hash,
           encode(sha256(convert_to(concat_ws('|', h.hash, i.directive_id, h.seq + 1, 'escalated',
                  i.occurred_at, %(now)s::timestamptz, 'system', i.summary, i.data::text, i.task_id), 'UTF8')), 'hex') AS hash,
           i.task_id, i.occurred_at, i.summary, i.data
    FROM lb_items i JOIN heads h ON h.directive_id = i.directive_id WHERE i.k = 1
    UNION ALL
    SELECT i.directive_id, i.k, c.seq + 1, c.hash,
           encode(sha256(convert_to(concat_ws('|', c.hash, i.directive_id, c.seq + 1, 'escalated',
                  i.occurred_at, %(now)s::timestamptz, 'system', i.summary, i.data::text, i.task_id), 'UTF8')), 'hex'),
           i.task_id, i.occurred_at, i.summary, i.data
    FROM chain c JOIN lb_items i ON i.directive_id = c.directive_id AND i.k = c.k + 1
)
SELECT directive_id, seq, 'escalated', occurred_at, %(now)s::timestamptz, NULL, 'system', summary, data, NULL, task_id,
       NULL, NULL, prev_hash, hash
FROM chain
""",
    ),
    (
        "outbox",
        """
INSERT INTO directives_notification (idempotency_key, channel, event, recipient, user_id, group_id, webhook_id, payload,
                                     directive_id, task_id, obligation_id, escalation_id, status, attempts,
                                     next_attempt_at, dispatched_at, locked_until, last_error, created_at, sent_at)
WITH fired AS (
    SELECT e.id AS escalation_id, d.*,
           '[Docket ' || d.priority || '] ' || d.step_name || ': ' || d.title AS subject,
           '[Docket ' || d.priority || '] ' || d.reference || ': task ''' || d.title || ''' is overdue (due '
             || d.due_at || '). ' || d.step_name || '.' AS text,
           jsonb_build_object('event', 'escalated',
                              'directive', jsonb_build_object('id', d.directive_id, 'reference', d.reference),
                              'task', jsonb_build_object('id', d.id, 'title', d.title, 'due_at', d.due_at,
                                                         'priority', d.priority),
                              'level', d.level, 'repeat', 0, 'step', d.step_name, 'scheduled_at', d.at,
                              'escalation_id', e.id) AS data
    FROM directives_escalation e JOIN lb_due d ON d.id = e.task_id
    WHERE e.fired_at = %(now)s AND e.superseded_at IS NULL AND e.level = d.level
),
group_members AS (
    SELECT g.id, g.name, jsonb_agg(u.email ORDER BY u.email) AS emails
    FROM auth_group g JOIN auth_user_groups ug ON ug.group_id = g.id JOIN auth_user u ON u.id = ug.user_id
    WHERE u.is_active AND u.email <> ''
    GROUP BY g.id, g.name
)
SELECT 'escalation:' || f.escalation_id || ':user:' || u.id, 'email', 'escalated', 'user:' || u.username, u.id,
       NULL::integer, NULL::bigint, jsonb_build_object('subject', f.subject, 'text', f.text, 'to', jsonb_build_array(u.email),
                                'data', f.data),
       f.directive_id, f.id, NULL::bigint, f.escalation_id, 'pending', 0, %(now)s::timestamptz, NULL::timestamptz,
       NULL::timestamptz, '', %(now)s::timestamptz, NULL::timestamptz
FROM fired f JOIN auth_user u ON u.id = f.assignee_id AND u.is_active AND u.email <> ''
WHERE f.notify_assignee
UNION ALL
SELECT 'escalation:' || f.escalation_id || ':group:' || gm.id, 'email', 'escalated', 'group:' || gm.name, NULL,
       gm.id, NULL::bigint,
       jsonb_build_object('subject', f.subject, 'text', f.text, 'to', jsonb_build_array(), 'data', f.data),
       f.directive_id, f.id, NULL, f.escalation_id, 'pending', 0, %(now)s, NULL, NULL, '', %(now)s, NULL
FROM fired f
JOIN directives_escalationstep_notify_groups sg ON sg.escalationstep_id = f.step_id
JOIN group_members gm ON gm.id = sg.group_id
ON CONFLICT (idempotency_key) DO NOTHING
""",
    ),
    (
        "tasks",
        """
UPDATE directives_remediationtask t
SET escalation_level = d.level, next_escalation_at = d.next_at
FROM lb_due d
WHERE t.id = d.id
""",
    ),
]


def run(dsn: str, now: str) -> dict[str, Any]:
    """Run the statements in one transaction and commit; per-statement wall time and row counts."""
    steps: list[dict[str, Any]] = []
    with psycopg.connect(dsn) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        meter = CpuMeter(backend).start()
        started = time.perf_counter()
        with conn.transaction():
            for name, sql in STATEMENTS:
                t0 = time.perf_counter()
                cur = conn.execute(sql.encode(), {"now": now})
                steps.append({"step": name, "rows": cur.rowcount, "s": round(time.perf_counter() - t0, 4)})
        wall = time.perf_counter() - started
        cpu = meter.stop()
    return {"wall_s": round(wall, 4), **cpu, "statements": len(STATEMENTS), "steps": steps}


def explain(dsn: str, now: str) -> str:
    """EXPLAIN ANALYZE of every statement, in a transaction rolled back."""
    out: list[str] = []
    with psycopg.connect(dsn) as conn, conn.transaction(force_rollback=True):
        for name, sql in STATEMENTS:
            cur = conn.execute(b"EXPLAIN (ANALYZE, BUFFERS) " + sql.encode(), {"now": now})
            out.append(f"-- {name}\n" + "\n".join(r[0] for r in cur.fetchall()))
    return "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each statement (rolled back)")
    args = parser.parse_args()
    if args.explain:
        print(explain(args.dsn, args.now))
    else:
        print(json.dumps(run(args.dsn, args.now)))


if __name__ == "__main__":
    main()
