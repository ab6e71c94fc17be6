"""Audit integrity beyond the chain: a signed checkpoint catches a rewrite that recomputed every hash."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from directives.choices import EntryKind
from directives.models import TimelineEntry
from directives.services.checkpoints import TRAIL_CHARS, CheckpointError, load_checkpoint, take_checkpoint
from directives.services.directives import record_action
from directives.services.timeline import compute_hash, verify_chain

from ..db_guards import tamper
from .chains import comment_chains

KEY = "test-checkpoint-key-0123456789abcdef-0123456789"


@pytest.fixture(autouse=True)
def _key(settings):
    settings.DOCKET_CHECKPOINT_KEY = KEY


@pytest.fixture
def chains(legal, now):
    """Two directives, each with a receipt and four recorded actions."""
    return comment_chains(actor=legal, now=now, comments=4)


def _raw(sql: str, params: list) -> None:
    """Tamper as a database superuser would, past the timeline's guards."""
    tamper(sql, params)


def rewrite_and_rehash(directive, seq: int, summary: str, *, fix_head: bool = True) -> TimelineEntry:
    """Change entry ``seq`` and recompute its hash and every later one, so the chain verifies again; with
    ``fix_head`` also the head kept apart, as a superuser who knows the schema would."""
    entries = list(TimelineEntry.objects.filter(directive=directive).order_by("seq"))
    prev = entries[seq - 2].hash if seq > 1 else entries[0].prev_hash
    for entry in entries[seq - 1 :]:
        if entry.seq == seq:
            entry.summary = summary
        entry.prev_hash = prev
        entry.hash = compute_hash(entry)
        _raw(
            "UPDATE directives_timelineentry SET summary = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [entry.summary, entry.prev_hash, entry.hash, entry.pk],
        )
        prev = entry.hash
    if fix_head:
        _raw("UPDATE directives_timelinehead SET hash = %s WHERE directive_id = %s", [prev, directive.pk])
    return entries[seq - 1]


def checkpoint(tmp_path: Path, name: str = "checkpoint.json") -> Path:
    path = tmp_path / name
    call_command("timeline_checkpoint", "--output", str(path))
    return path


def test_checkpoint_file_holds_every_chain_head_with_time_and_hmac(chains, tmp_path, capsys) -> None:
    path = checkpoint(tmp_path)
    assert "2 chains, 10 entries" in capsys.readouterr().out
    document = json.loads(path.read_text())
    assert document["format"] == "docket-timeline-checkpoint/1"
    assert dt.datetime.fromisoformat(document["created_at"]).tzinfo is not None
    assert len(document["hmac"]) == 64
    heads = {c["directive"]: c for c in document["chains"]}
    for directive in chains:
        last = TimelineEntry.objects.filter(directive=directive).order_by("-seq")[0]
        assert heads[directive.pk]["seq"] == last.seq == 5
        assert heads[directive.pk]["hash"] == last.hash
        assert len(heads[directive.pk]["trail"]) == 5
        assert all(len(t) == TRAIL_CHARS for t in heads[directive.pk]["trail"])
    assert path.stat().st_mode & 0o077 == 0  # owner-only


def test_checkpoint_to_stdout(chains, capsys) -> None:
    call_command("timeline_checkpoint")
    out = capsys.readouterr()
    assert json.loads(out.out)["totals"] == {"chains": 2, "entries": 10}
    assert "2 chains, 10 entries" in out.err


def test_untouched_timeline_verifies_against_its_checkpoint(chains, legal, now, tmp_path, capsys) -> None:
    path = checkpoint(tmp_path)
    # Entries appended after the checkpoint are fine: the checkpoint covers what existed then.
    record_action(
        directive=chains[0], kind=EntryKind.COMMENT, summary="later", occurred_at=now, actor=legal, now=now
    )
    capsys.readouterr()
    call_command("verify_timeline", "--checkpoint", str(path))
    out = capsys.readouterr().out
    assert "all hashes match" in out
    assert "is authentic and matches: 2 chains, 10 entries unchanged" in out


def test_rewrite_with_recomputed_hashes_passes_the_chain_but_not_the_checkpoint(
    chains, tmp_path, capsys
) -> None:
    path = checkpoint(tmp_path)
    target = chains[1]
    rewritten = rewrite_and_rehash(target, 2, "Receipt acknowledged at 18:30 (was 17:25)")

    # The chain alone cannot tell: every hash was recomputed.
    assert verify_chain(target.pk).ok
    call_command("verify_timeline")
    assert "all hashes match" in capsys.readouterr().out

    # The checkpoint can, and names the first rewritten entry.
    with pytest.raises(CommandError) as err:
        call_command("verify_timeline", "--checkpoint", str(path))
    message = str(err.value)
    assert f"directive {target.pk}, entry #2 (id {rewritten.pk})" in message
    assert "rewritten since the checkpoint" in message
    assert "FAILED" in message


def test_rewrite_of_the_head_itself_is_caught(chains, tmp_path) -> None:
    path = checkpoint(tmp_path)
    head = rewrite_and_rehash(chains[0], 5, "changed head")
    with pytest.raises(CommandError, match=rf"directive {chains[0].pk}, entry #5 \(id {head.pk}\)"):
        call_command("verify_timeline", "--checkpoint", str(path))


def test_rewrite_is_caught_by_the_head_hash_even_without_the_trail(chains, tmp_path) -> None:
    """The trail only locates; the proof is the full head hash, so a file without a trail still catches it."""
    from directives.services.checkpoints import sign

    path = checkpoint(tmp_path)
    document = json.loads(path.read_text())
    document.pop("hmac")
    for chain in document["chains"]:
        chain["trail"] = []
    document["hmac"] = sign(document)
    path.write_text(json.dumps(document))
    rewrite_and_rehash(chains[0], 3, "changed")
    with pytest.raises(CommandError, match=rf"directive {chains[0].pk}, entry #5 .*chain head differs"):
        call_command("verify_timeline", "--checkpoint", str(path))


def test_deleted_tail_entry_is_caught(chains, tmp_path) -> None:
    path = checkpoint(tmp_path)
    last = TimelineEntry.objects.filter(directive=chains[0]).order_by("-seq")[0]
    _raw("DELETE FROM directives_timelineentry WHERE id = %s", [last.pk])
    assert verify_chain(chains[0].pk).ok  # a shorter chain is still a valid chain
    with pytest.raises(CommandError, match=rf"directive {chains[0].pk}, entry #5: entry is missing"):
        call_command("verify_timeline", "--checkpoint", str(path))


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda d: d["chains"][0].update(hash="0" * 64), id="head-hash"),
        pytest.param(lambda d: d["chains"][0].update(seq=d["chains"][0]["seq"] - 1), id="head-seq"),
        pytest.param(lambda d: d.update(created_at="2020-01-01T00:00:00+00:00"), id="time"),
        pytest.param(lambda d: d["chains"].pop(), id="chain-dropped"),
    ],
)
def test_tampered_checkpoint_file_is_refused(chains, tmp_path, tamper) -> None:
    path = checkpoint(tmp_path)
    document = json.loads(path.read_text())
    tamper(document)
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="is NOT authentic: its HMAC does not match"):
        call_command("verify_timeline", "--checkpoint", str(path))


def test_checkpoint_made_with_another_key_is_refused(chains, tmp_path, settings) -> None:
    path = checkpoint(tmp_path)
    settings.DOCKET_CHECKPOINT_KEY = "another-key-" + "x" * 40
    with pytest.raises(CheckpointError, match="signed with a different DOCKET_CHECKPOINT_KEY"):
        load_checkpoint(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"format": "other"}', "not a Docket timeline checkpoint"),
        ('{"format": "docket-timeline-checkpoint/1"}', "has no signature"),
    ],
)
def test_malformed_checkpoint_files_are_refused_clearly(db, tmp_path, content, message) -> None:
    path = tmp_path / "c.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("verify_timeline", "--checkpoint", str(path))


def test_missing_file_is_refused_clearly(db, tmp_path) -> None:
    with pytest.raises(CommandError, match="Cannot read checkpoint file"):
        call_command("verify_timeline", "--checkpoint", str(tmp_path / "absent.json"))


def test_no_key_no_checkpoint(chains, settings, tmp_path) -> None:
    settings.DOCKET_CHECKPOINT_KEY = ""
    with pytest.raises(CommandError, match="DOCKET_CHECKPOINT_KEY is not set"):
        call_command("timeline_checkpoint", "--output", str(tmp_path / "c.json"))
    assert not (tmp_path / "c.json").exists()


def test_a_broken_chain_is_never_checkpointed(chains, tmp_path) -> None:
    entry = TimelineEntry.objects.get(directive=chains[0], seq=3)
    _raw("UPDATE directives_timelineentry SET summary = %s WHERE id = %s", ["edited", entry.pk])
    with pytest.raises(
        CommandError,
        match=rf"no checkpoint written: first bad entry: directive {chains[0].pk}, "
        rf"entry #3",
    ):
        call_command("timeline_checkpoint", "--output", str(tmp_path / "c.json"))
    assert not (tmp_path / "c.json").exists()


def test_directive_filter_checks_only_that_chain(chains, tmp_path, capsys) -> None:
    path = checkpoint(tmp_path)
    rewrite_and_rehash(chains[1], 2, "changed")
    capsys.readouterr()
    call_command("verify_timeline", "--checkpoint", str(path), "--directive", str(chains[0].pk))
    assert "1 chains, 5 entries unchanged" in capsys.readouterr().out
    with pytest.raises(CommandError, match=f"directive {chains[1].pk}, entry #2"):
        call_command("verify_timeline", "--checkpoint", str(path), "--directive", str(chains[1].pk))


def test_take_checkpoint_is_signed_over_its_content(chains, now) -> None:
    document = take_checkpoint(now=now)
    assert document["created_at"] == now.isoformat()
    assert document["totals"]["entries"] == 10


def test_checking_a_checkpoint_on_its_own_also_recomputes_the_content_hashes(chains, tmp_path) -> None:
    """``verify_checkpoint`` without a prior chain verification does the whole walk itself."""
    from directives.services.checkpoints import verify_checkpoint

    path = checkpoint(tmp_path)
    entry = TimelineEntry.objects.get(directive=chains[0], seq=2)
    _raw("UPDATE directives_timelineentry SET summary = %s WHERE id = %s", ["edited", entry.pk])
    (problem,) = verify_checkpoint(load_checkpoint(path))
    assert (problem.directive_id, problem.seq, problem.entry_id) == (chains[0].pk, 2, entry.pk)
    assert "content does not match its hash" in problem.reason
