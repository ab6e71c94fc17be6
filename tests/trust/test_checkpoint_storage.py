"""Checkpoints taken on a schedule by beat, kept in a second storage location (a folder or a bucket through
Django's storage API), used by ``verify_timeline --checkpoint latest``; a state in which a chain is shorter
than in the previous checkpoint is never signed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError

from directives.models import TimelineEntry
from directives.services.checkpoints import (
    STORED_NAME,
    CheckpointError,
    latest_stored_name,
    load_stored_checkpoint,
)
from directives.tasks import timeline_checkpoint

from ..db_guards import tamper
from .chains import comment_chains
from .test_checkpoints import rewrite_and_rehash

KEY = "test-checkpoint-key-0123456789abcdef-0123456789"


@pytest.fixture(autouse=True)
def _key(settings):
    settings.DOCKET_CHECKPOINT_KEY = KEY


@pytest.fixture
def folder() -> Path:
    return Path(django_settings.STORAGES["checkpoints"]["OPTIONS"]["location"])


@pytest.fixture
def chains(legal, now):
    return comment_chains(actor=legal, now=now, comments=2)


def _cut_last_entry_and_its_head(directive) -> None:
    """What a superuser who knows the schema does: remove the last entry and move its head back to match,
    so that the record, on its own, verifies."""
    entries = list(TimelineEntry.objects.filter(directive=directive).order_by("-seq")[:2])
    tamper("DELETE FROM directives_timelineentry WHERE id = %s", [entries[0].pk])
    tamper(
        "UPDATE directives_timelinehead SET seq = %s, hash = %s WHERE directive_id = %s",
        [entries[1].seq, entries[1].hash, directive.pk],
    )


def test_beat_takes_checkpoints_on_the_configured_schedule() -> None:
    from compliance.celery import app

    app.finalize()
    schedule = app.conf.beat_schedule["timeline-checkpoint"]
    assert schedule["task"] == "directives.tasks.timeline_checkpoint" == timeline_checkpoint.name
    assert schedule["schedule"] == django_settings.DOCKET_CHECKPOINT_INTERVAL_SECONDS == 3600


def test_the_task_writes_a_signed_checkpoint_to_the_checkpoint_folder(chains, folder) -> None:
    where = timeline_checkpoint.apply().get()
    (stored,) = folder.iterdir()
    assert where == str(stored) and STORED_NAME.match(stored.name)
    assert stored.stat().st_mode & 0o077 == 0  # owner-only
    document = json.loads(stored.read_text())
    assert document["totals"] == {"chains": 2, "entries": 6} and len(document["hmac"]) == 64
    assert load_stored_checkpoint().entries == 6


def test_checkpoints_accumulate_and_latest_is_the_newest(chains, folder, legal, now, capsys) -> None:
    call_command("timeline_checkpoint", "--store")
    first = latest_stored_name()
    comment_chains(actor=legal, now=now, comments=0, count=1)  # another directive, another chain
    call_command("timeline_checkpoint", "--store")
    assert len(list(folder.iterdir())) == 2
    assert latest_stored_name() != first
    capsys.readouterr()
    call_command("verify_timeline", "--checkpoint", "latest")
    assert "is authentic and matches: 3 chains, 7 entries unchanged" in capsys.readouterr().out


def test_verify_against_latest_catches_a_rewrite_the_record_alone_cannot(chains) -> None:
    call_command("timeline_checkpoint", "--store")
    rewritten = rewrite_and_rehash(chains[0], 2, "acknowledged later than it was")
    call_command("verify_timeline")  # chain and head rewritten together: consistent on their own
    with pytest.raises(CommandError, match=rf"directive {chains[0].pk}, entry #2 \(id {rewritten.pk}\)"):
        call_command("verify_timeline", "--checkpoint", "latest")


def test_a_state_shorter_than_the_previous_checkpoint_is_never_signed(chains, folder, tmp_path) -> None:
    call_command("timeline_checkpoint", "--store")
    _cut_last_entry_and_its_head(chains[1])
    call_command("verify_timeline")  # the record alone now looks whole
    expected = rf"no checkpoint written: first problem: directive {chains[1].pk}, entry #3: entry is missing"
    with pytest.raises(CommandError, match=expected):
        call_command("timeline_checkpoint", "--store")
    with pytest.raises(CheckpointError, match=expected):  # beat's run: the worker logs it as an error
        timeline_checkpoint.apply().get()
    with pytest.raises(CommandError, match=expected):
        call_command("timeline_checkpoint", "--output", str(tmp_path / "c.json"))
    assert len(list(folder.iterdir())) == 1 and not (tmp_path / "c.json").exists()
    # An operator may start afresh, knowingly: the previous checkpoint is still there to prove the loss.
    call_command("timeline_checkpoint", "--previous", "none", "--output", str(tmp_path / "c.json"))
    assert (tmp_path / "c.json").exists()


def test_a_previous_checkpoint_given_as_a_file_is_honoured(chains, tmp_path) -> None:
    call_command("timeline_checkpoint", "--output", str(tmp_path / "before.json"))
    _cut_last_entry_and_its_head(chains[0])
    with pytest.raises(CommandError, match="entry is missing"):
        call_command("timeline_checkpoint", "--previous", str(tmp_path / "before.json"))


def test_a_tampered_latest_checkpoint_stops_the_next_one(chains, folder) -> None:
    call_command("timeline_checkpoint", "--store")
    (stored,) = folder.iterdir()
    document = json.loads(stored.read_text())
    document["chains"][0]["seq"] = 1
    stored.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="is NOT authentic"):
        call_command("timeline_checkpoint", "--store")
    with pytest.raises(CommandError, match="is NOT authentic"):
        call_command("verify_timeline", "--checkpoint", "latest")


def test_latest_without_any_checkpoint_says_so(chains) -> None:
    with pytest.raises(CommandError, match=r"The checkpoint storage \(.*\) holds no checkpoint yet"):
        call_command("verify_timeline", "--checkpoint", "latest")


def test_the_storage_backend_is_configurable(chains, settings, folder, capsys) -> None:
    """Any Django storage serves (S3Storage for a bucket, through django-storages): here one in memory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "checkpoints": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    call_command("timeline_checkpoint", "--store")
    assert "2 chains, 6 entries, stored as " in capsys.readouterr().out
    assert not folder.exists()  # not in the folder: in the configured storage
    call_command("verify_timeline", "--checkpoint", "latest")
    assert "is authentic and matches: 2 chains, 6 entries unchanged" in capsys.readouterr().out


def test_a_directive_removed_with_its_chain_and_head_is_reported_by_the_checkpoint(chains) -> None:
    """Everything about a directive deleted by a superuser: nothing in the database is left to disagree,
    so only the checkpoint (kept elsewhere) knows it existed."""
    call_command("timeline_checkpoint", "--store")
    pk = chains[1].pk
    for table, column in (
        ("directives_timelineentry", "directive_id"),
        ("directives_timelinehead", "directive_id"),
        ("directives_directiveproduct", "directive_id"),
        ("directives_obligation", "directive_id"),
        ("directives_directive", "id"),
    ):
        tamper(f"DELETE FROM {table} WHERE {column} = %s", [pk])  # noqa: S608
    call_command("verify_timeline")  # the database alone: 1 chain, whole
    with pytest.raises(CommandError, match=rf"directive {pk}, entry #3: the directive is gone"):
        call_command("verify_timeline", "--checkpoint", "latest")
