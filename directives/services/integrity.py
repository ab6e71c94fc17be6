"""The whole record's integrity: every chain recomputed, and every chain's end compared with its head.

A hash chain proves its entries agree with one another, but a chain cut short (its last entries deleted)
or removed altogether is still a valid chain, or none at all. The head of each chain is therefore kept
apart (``TimelineHead``, written by the database in the transaction of every insert, migration 0013), and
every directive has its receipt, so a directive without entries is itself a finding.

No transaction is held while the chains are walked: heads are read before and after, and since a head is
written in the same transaction as the entry it names, every entry read in between is covered by the heads
read after, and every head read before is covered by the entries read in between (entries are only ever
appended). A chain that ends before the first head lost entries; one that runs past the second head has
entries the database never saw inserted through its trigger.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Directive, TimelineEntry, TimelineHead
from .timeline import ChainReport, verify_all, verify_chain

Heads = dict[int, tuple[int, str]]


@dataclass(frozen=True)
class HeadProblem:
    directive_id: int
    reason: str

    def __str__(self) -> str:
        return f"directive {self.directive_id}: {self.reason}"


@dataclass(frozen=True)
class RecordReport:
    chains: list[ChainReport]
    heads: list[HeadProblem]

    @property
    def ok(self) -> bool:
        return not self.heads and all(r.ok for r in self.chains)

    @property
    def entries(self) -> int:
        return sum(r.entries for r in self.chains)

    def first_problem(self) -> str | None:
        broken = [str(r.problem) for r in self.chains if r.problem is not None]
        found = broken + [str(p) for p in self.heads]
        return found[0] if found else None


def _heads(directive_id: int | None) -> Heads:
    rows = TimelineHead.objects.all()
    if directive_id is not None:
        rows = rows.filter(directive_id=directive_id)
    return {pk: (seq, hash_) for pk, seq, hash_ in rows.values_list("directive_id", "seq", "hash")}


def _hash_at(directive_id: int, seq: int) -> str | None:
    return (
        TimelineEntry.objects.filter(directive_id=directive_id, seq=seq)
        .values_list("hash", flat=True)
        .first()
    )


def head_problem(
    report: ChainReport, before: tuple[int, str] | None, after: tuple[int, str] | None
) -> str | None:
    """What is wrong between one chain, as just verified, and its head read before and after it."""
    end = report.head_seq
    if report.entries == 0:
        said = f"; its head says #{before[0]}" if before else ""
        return f"has no entries, though every directive has its receipt: the whole chain was removed{said}"
    if after is None:
        return f"its chain ends at #{end} but it has no head: the head was removed"
    if before is not None and end < before[0]:
        return (
            f"its chain ends at #{end} but its head says #{before[0]}: "
            f"entries #{end + 1} to #{before[0]} were removed"
        )
    if end > after[0]:
        return (
            f"its chain runs to #{end} past its head #{after[0]}: entries were inserted without the "
            "database's trigger"
        )
    for head in (before, after):
        if head is None:
            continue
        seq, expected = head
        found = report.head_hash if seq == end else _hash_at(report.directive_id, seq)
        if found != expected:
            return f"entry #{seq} is not the entry its head names (hash differs): the chain was rewritten"
    return None


def verify_record(directive_id: int | None = None) -> RecordReport:
    """Every chain (or one directive's) recomputed and compared with its head."""
    before = _heads(directive_id)
    if directive_id is None:
        chains = verify_all()
    elif Directive.objects.filter(pk=directive_id).exists() or directive_id in before:
        chains = [verify_chain(directive_id)]
    else:
        chains = []
    after = _heads(directive_id)
    problems = []
    for report in chains:
        if report.ok:
            d = report.directive_id
            reason = head_problem(report, before.get(d), after.get(d))
            if reason is not None:
                problems.append(HeadProblem(d, reason))
    known = {r.directive_id for r in chains}
    for orphan in sorted(set(before) - known):
        problems.append(
            HeadProblem(
                orphan, f"the directive is gone, but its head says #{before[orphan][0]}: it was removed"
            )
        )
    return RecordReport(chains=chains, heads=problems)
