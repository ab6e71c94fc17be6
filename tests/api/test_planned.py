"""Lists are written by PlannedListSerializer (directives/api/planned.py): the JSON a client reads must be
exactly DRF's, for every read shape of the API, whatever the row holds (nulls, nested evidence, escalations,
a user's time zone)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework import serializers

from directives.api import serializers as s
from directives.api.planned import PlannedListSerializer
from directives.escalation.sweep import sweep
from directives.models import Authority, RemediationTask, WebhookEndpoint
from directives.services import conventions, mailbox
from directives.services import tasks as task_services
from tests.documents.samples import order_eml
from tests.selectors.world import NOW

READ_SHAPES = sorted(
    (
        cls
        for cls in vars(s).values()
        if isinstance(cls, type)
        and issubclass(cls, s.DocketModelSerializer)
        and cls is not s.DocketModelSerializer
    ),
    key=lambda cls: cls.__name__,
)


def drf_list(serializer_class: type[serializers.ModelSerializer], rows: list[Any]) -> Any:
    """What DRF's own ListSerializer writes for these rows."""
    return serializers.ListSerializer(child=serializer_class()).to_representation(rows)


def test_every_read_shape_lists_through_the_planned_serializer() -> None:
    assert {cls.__name__ for cls in READ_SHAPES} >= {
        "TaskSerializer",
        "DirectiveSerializer",
        "EvidenceSerializer",
    }
    for cls in READ_SHAPES:
        assert isinstance(cls(many=True), PlannedListSerializer), cls.__name__


@pytest.fixture
def rich_world(world: Any, engineer: Any, legal: Any) -> Any:
    """The selectors' world, plus what it lacks for these shapes: file and link evidence on an open task, a
    task with nobody assigned, escalations and notifications from a sweep, a webhook endpoint, a mailbox
    message and an authority's closure day."""
    task = RemediationTask.objects.filter(assignee=engineer, status="open").order_by("pk").first()
    assert task is not None
    task_services.add_evidence(task=task, actor=engineer, now=NOW, url="https://evidence.example/log")
    task_services.add_evidence(
        task=task,
        actor=engineer,
        now=NOW + dt.timedelta(seconds=1),
        upload=SimpleUploadedFile("report.txt", b"patched\n", content_type="text/plain"),
        description="the patch report",
    )
    RemediationTask.objects.filter(pk=task.pk + 1).update(assignee=None)
    WebhookEndpoint.objects.create(name="pager", url="https://hooks.example/docket", secret="s3cret")
    mailbox.queue_message(order_eml([]), uid="7", mailbox="intake@imap/INBOX", now=NOW)
    authority = Authority.objects.order_by("pk").first()
    assert authority is not None
    conventions.add_closure_day(authority=authority, day="2026-12-24", name="Closed", actor=legal, now=NOW)
    sweep(now=NOW + dt.timedelta(days=40))
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
@pytest.mark.parametrize("serializer_class", READ_SHAPES, ids=lambda cls: cls.__name__)
def test_planned_list_is_drf_list_value_for_value(
    rich_world: Any, serializer_class: type[serializers.ModelSerializer], zone: str
) -> None:
    model: Any = serializer_class.Meta.model
    queryset = serializer_class.rows() if hasattr(serializer_class, "rows") else model.objects.all()
    rows = list(queryset.order_by("pk"))
    assert rows, f"no {model.__name__} rows to compare"
    with timezone.override(zone):
        planned = serializer_class(rows, many=True).data
        expected = drf_list(serializer_class, rows)
    assert planned == expected
    assert json.dumps(planned) == json.dumps(expected)  # key order too: what a client reads


@pytest.mark.django_db
def test_the_task_list_page_shows_evidence_and_instants_as_drf_would(
    rich_world: Any, client: Any, legal: Any
) -> None:
    client.force_login(legal)
    body = client.get("/api/v1/tasks/?page_size=100", secure=True).json()
    rows = list(s.TaskSerializer.rows().order_by("due_at", "id")[: len(body["results"])])
    assert body["results"] == json.loads(json.dumps(drf_list(s.TaskSerializer, rows)))
    with_evidence = [t for t in body["results"] if t["evidence"]]
    assert with_evidence and {e["kind"] for e in with_evidence[0]["evidence"]} == {"link", "file"}
    assert any(t["assignee"] is None and t["assignee_username"] is None for t in body["results"])
    # What the serializer's own queryset adds to a row is what the relations hold: the assignee's name
    # and the evidence in the order it was added.
    for shown in body["results"]:
        task = RemediationTask.objects.select_related("assignee").get(pk=shown["id"])
        assert shown["assignee_username"] == (task.assignee.username if task.assignee else None)
        in_order = task.evidence.order_by("added_at", "pk").values_list("pk", flat=True)
        assert [e["id"] for e in shown["evidence"]] == list(in_order)


@pytest.mark.django_db
def test_a_task_read_without_its_queryset_fails_loudly_rather_than_lose_a_key(rich_world: Any) -> None:
    """The evidence and the assignee's name come from TaskSerializer.rows(); a plain row lacks them, and
    listing it is an error, not a task shown without evidence."""
    with pytest.raises(AttributeError):
        _ = s.TaskSerializer(list(RemediationTask.objects.all()[:1]), many=True).data
