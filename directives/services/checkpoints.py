"""Timeline checkpoints: audit integrity beyond the hash chain.

The hash chain proves that the entries in the database are consistent with one another, but someone who
can write to the database could rewrite an entry and recompute every later hash: the chain would still
verify. A checkpoint closes that gap. It records the head of every chain (directive, seq, hash) and a
short fingerprint of every entry up to the head, at a moment in time, signed with an HMAC-SHA256 under
``settings.DOCKET_CHECKPOINT_KEY``, a key that is not in the database or its backups. The file is meant
to be kept elsewhere (another machine, a WORM bucket, counsel's mailbox).

Verifying against a checkpoint then proves that nothing at or before each checkpointed head has changed
since: the head hash must still be there, at the same seq, reached by a valid chain. The per-entry
fingerprints only name *which* entry was rewritten; the full head hash is the proof.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from .. import instants
from ..models import Directive, TimelineEntry
from .integrity import verify_record
from .timeline import GENESIS, compute_hash

FORMAT = "docket-timeline-checkpoint/1"
# The storage (settings.STORAGES) beat writes checkpoints to, and the names it gives them (they sort by time).
STORAGE_ALIAS = "checkpoints"
STORED_NAME = re.compile(r"^checkpoint-\d{8}T\d{12}Z\.json$")
# Characters of each entry's hash kept in the trail: enough to name the rewritten entry, small enough
# that a checkpoint of 100,000 entries stays near 2 MB. The full head hash carries the proof.
TRAIL_CHARS = 16


class CheckpointError(Exception):
    """The checkpoint cannot be made or cannot be trusted; the message says why."""


@dataclass(frozen=True)
class ChainHead:
    directive_id: int
    seq: int
    hash: str
    trail: tuple[str, ...]


@dataclass(frozen=True)
class Checkpoint:
    created_at: dt.datetime
    heads: tuple[ChainHead, ...]
    path: str = ""

    @property
    def entries(self) -> int:
        return sum(h.seq for h in self.heads)


@dataclass(frozen=True)
class CheckpointProblem:
    directive_id: int
    seq: int
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        entry = f"entry #{self.seq} (id {self.entry_id})" if self.entry_id else f"entry #{self.seq}"
        return f"directive {self.directive_id}, {entry}: {self.reason}"


# --- the key and the signature ------------------------------------------------------------------


def _key(key: str | None = None) -> bytes:
    value = settings.DOCKET_CHECKPOINT_KEY if key is None else key
    if not value:
        raise CheckpointError(
            "DOCKET_CHECKPOINT_KEY is not set: checkpoints are signed with a key kept outside the database "
            "(see docs/security.md)."
        )
    return str(value).encode()


def key_id(key: str | None = None) -> str:
    """A fingerprint of the key (not the key), so a file made with another key says so."""
    return hmac.new(_key(key), b"docket checkpoint key id", hashlib.sha256).hexdigest()[:16]


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign(body: dict[str, Any], key: str | None = None) -> str:
    return hmac.new(_key(key), _canonical(body), hashlib.sha256).hexdigest()


# --- making a checkpoint ------------------------------------------------------------------------


def _trail(directive_id: int, up_to_seq: int) -> tuple[str, ...]:
    hashes = (
        TimelineEntry.objects.filter(directive_id=directive_id, seq__lte=up_to_seq)
        .order_by("seq")
        .values_list("hash", flat=True)
        .iterator(chunk_size=5000)
    )
    return tuple(h[:TRAIL_CHARS] for h in hashes)


def take_checkpoint(
    *, now: dt.datetime, key: str | None = None, previous: Checkpoint | None = None
) -> dict[str, Any]:
    """Verify every chain and return the signed checkpoint document (a JSON-ready dict).

    Refuses when a chain is already broken, and when the record no longer holds what ``previous`` (the last
    checkpoint) held, a chain shorter than it was included: a checkpoint must never bless a tampered record."""
    _key(key)
    # No surrounding transaction: on SQLite it would hold the write lock for the whole walk. Entries are
    # only ever appended, and each trail is read up to the head that was verified, so it is consistent.
    record = verify_record()
    if not record.ok:
        raise CheckpointError(
            f"Timeline verification FAILED, no checkpoint written: first bad entry: {record.first_problem()}"
        )
    reports = record.chains
    if previous is not None:
        verified = frozenset(r.directive_id for r in reports)
        problems = verify_checkpoint(previous, verified_chains=verified)
        if problems:
            raise CheckpointError(
                f"The record no longer holds what the previous checkpoint ({previous.path}, "
                f"{taken_at(previous)}) held, no checkpoint written: "
                f"first problem: {problems[0]}"
            )
    chains = []
    for report in reports:
        if report.entries == 0:
            continue
        trail = _trail(report.directive_id, report.head_seq)
        chains.append(
            {
                "directive": report.directive_id,
                "seq": report.head_seq,
                "hash": report.head_hash,
                "trail": list(trail),
            }
        )
    body: dict[str, Any] = {
        "format": FORMAT,
        "created_at": now.astimezone(dt.UTC).isoformat(),
        "key_id": key_id(key),
        "chains": chains,
        "totals": {"chains": len(chains), "entries": sum(c["seq"] for c in chains)},
    }
    return {**body, "hmac": sign(body, key)}


def write_checkpoint(document: dict[str, Any], path: str | Path) -> Path:
    """Write atomically (a temp file renamed into place), readable by the owner only."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=1, sort_keys=True)
            fh.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


# --- reading and checking one -------------------------------------------------------------------


def load_checkpoint(path: str | Path, *, key: str | None = None) -> Checkpoint:
    """Read a checkpoint file and check its HMAC; raise ``CheckpointError`` if it cannot be trusted."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckpointError(f"Cannot read checkpoint file {path}: {exc.strerror or exc}.") from exc
    return parse_checkpoint(raw, path=str(path), key=key)


def parse_checkpoint(raw: str, *, path: str, key: str | None = None) -> Checkpoint:
    """A checkpoint document's text, its HMAC checked; ``path`` names it in messages."""
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise CheckpointError(f"Checkpoint file {path} is not valid JSON ({exc}).") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(f"Checkpoint file {path} is not a Docket timeline checkpoint ({FORMAT}).")
    claimed = document.pop("hmac", None)
    if not isinstance(claimed, str):
        raise CheckpointError(f"Checkpoint file {path} has no signature (hmac).")
    if not hmac.compare_digest(claimed, sign(document, key)):
        if document.get("key_id") != key_id(key):
            why = "it was signed with a different DOCKET_CHECKPOINT_KEY, or the file was altered"
        else:
            why = "the file was altered after it was written"
        raise CheckpointError(f"Checkpoint file {path} is NOT authentic: its HMAC does not match ({why}).")
    try:
        created_at = dt.datetime.fromisoformat(document["created_at"])
        heads = tuple(
            ChainHead(
                directive_id=int(c["directive"]),
                seq=int(c["seq"]),
                hash=str(c["hash"]),
                trail=tuple(str(t) for t in c.get("trail", ())),
            )
            for c in document["chains"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"Checkpoint file {path} is signed but malformed ({exc!r}).") from exc
    return Checkpoint(created_at=created_at, heads=heads, path=str(path))


def check_head(head: ChainHead, *, since: str, chain_verified: bool = False) -> CheckpointProblem | None:
    """The chain must still hold, entry for entry, what it held when the checkpoint was taken.

    ``chain_verified``: the caller has just recomputed this chain (``verify_chain`` passed), so the
    entries' own hashes are known to match their content and only the hashes are compared here."""
    if not Directive.objects.filter(pk=head.directive_id).exists():
        return CheckpointProblem(
            head.directive_id, head.seq, None, f"the directive is gone (it was in the {since})"
        )
    prev, expected = GENESIS, 1
    entries = TimelineEntry.objects.filter(directive_id=head.directive_id, seq__lte=head.seq).order_by("seq")
    rows: Iterator[Any] = (
        (
            SimpleNamespace(pk=pk, seq=seq, prev_hash=prev_hash, hash=hash_)
            for pk, seq, prev_hash, hash_ in entries.values_list("pk", "seq", "prev_hash", "hash").iterator(
                chunk_size=5000
            )
        )
        if chain_verified
        else entries.iterator(chunk_size=2000)
    )
    for entry in rows:
        if entry.seq != expected:
            return CheckpointProblem(
                head.directive_id, expected, None, f"entry is missing (removed after the {since})"
            )
        if entry.prev_hash != prev:
            return CheckpointProblem(
                head.directive_id,
                entry.seq,
                entry.pk,
                "previous-hash link broken (an earlier entry was changed)",
            )
        if not chain_verified and compute_hash(entry) != entry.hash:
            return CheckpointProblem(
                head.directive_id,
                entry.seq,
                entry.pk,
                "content does not match its hash (changed after writing)",
            )
        index = entry.seq - 1
        if index < len(head.trail) and not entry.hash.startswith(head.trail[index]):
            return CheckpointProblem(
                head.directive_id,
                entry.seq,
                entry.pk,
                f"rewritten since the {since}: its hash differs from the checkpointed one and every later hash "
                "was recomputed to hide it",
            )
        if entry.seq == head.seq and entry.hash != head.hash:
            return CheckpointProblem(
                head.directive_id,
                entry.seq,
                entry.pk,
                f"the chain head differs from the {since}: an entry at or before #{head.seq} was rewritten "
                "and the later hashes recomputed",
            )
        prev, expected = entry.hash, entry.seq + 1
    if expected <= head.seq:
        return CheckpointProblem(
            head.directive_id,
            expected,
            None,
            f"entry is missing: the {since} had entries up to #{head.seq}, the database only up to #{expected - 1}",
        )
    return None


def taken_at(checkpoint: Checkpoint) -> str:
    """When the checkpoint was taken, as people read it: in the company's zone with UTC beside it."""
    return instants.legal(checkpoint.created_at, instants.company_zone(), seconds=True)


def verify_checkpoint(
    checkpoint: Checkpoint, *, verified_chains: frozenset[int] = frozenset()
) -> list[CheckpointProblem]:
    """Every problem found, one per chain. ``verified_chains``: directive ids whose chains were just
    recomputed by ``verify_chain`` without a problem (their content hashes need not be recomputed)."""
    since = f"checkpoint of {taken_at(checkpoint)}"
    problems = []
    for head in checkpoint.heads:
        problem = check_head(head, since=since, chain_verified=head.directive_id in verified_chains)
        if problem is not None:
            problems.append(problem)
    return problems


# --- the checkpoint storage (a second location: a folder or a bucket) ---------------------------


def checkpoint_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def _where(storage: Storage, name: str) -> str:
    try:
        return storage.path(name)
    except NotImplementedError:  # a bucket, or another storage without local paths
        bucket = getattr(storage, "bucket_name", None)
        if bucket is None:
            return f"{type(storage).__name__}:{name}"
        return "/".join(part for part in (f"s3://{bucket}", getattr(storage, "location", ""), name) if part)


def latest_stored_name() -> str | None:
    try:
        _, files = checkpoint_storage().listdir("")
    except FileNotFoundError:
        return None
    names = sorted(n for n in files if STORED_NAME.match(n))
    return names[-1] if names else None


def load_stored_checkpoint(name: str = "latest", *, key: str | None = None) -> Checkpoint:
    """A checkpoint from the checkpoint storage (``latest``: the newest), its HMAC checked."""
    storage = checkpoint_storage()
    if name == "latest":
        found = latest_stored_name()
        if found is None:
            raise CheckpointError(f"The checkpoint storage ({_where(storage, '')}) holds no checkpoint yet.")
        name = found
    where = _where(storage, name)
    try:
        with storage.open(name, "rb") as fh:
            raw = fh.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"Cannot read checkpoint {where}: {exc}.") from exc
    return parse_checkpoint(raw, path=where, key=key)


def store_new_checkpoint(*, now: dt.datetime, key: str | None = None) -> tuple[str, dict[str, Any]]:
    """Take a checkpoint that must still hold the latest stored one, and add it to the checkpoint storage
    beside the others (never replacing one). Returns where it was written and the document."""
    previous = load_stored_checkpoint(key=key) if latest_stored_name() is not None else None
    document = take_checkpoint(now=now, key=key, previous=previous)
    storage = checkpoint_storage()
    stamp = dt.datetime.fromisoformat(document["created_at"]).strftime("%Y%m%dT%H%M%S%fZ")
    body = json.dumps(document, indent=1, sort_keys=True) + "\n"
    name = storage.save(f"checkpoint-{stamp}.json", ContentFile(body.encode("utf-8")))
    return _where(storage, name), document
