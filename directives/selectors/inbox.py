"""Reads for a person's inbox: the messages Docket sent them (e-mails to them, and to a role group they are
a member of), whether they read each, and the header's unread count.

A message is in the inbox from the moment its outbox row is written, whatever became of the e-mail
(the inbox is a delivery of its own); a message cancelled before it was sent (its escalation no longer
applied) is not. Webhook messages go to systems, not people, and are in no inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery

from .. import links
from ..models import Notification, NotificationChannel, NotificationRead, NotificationStatus, Preference

PAGE_SIZE = 50


def _mine(user: Any) -> Q:
    groups = get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")
    return (
        Q(channel=NotificationChannel.EMAIL)
        & ~Q(status=NotificationStatus.CANCELLED)
        & (Q(user_id=user.pk) | Q(group_id__in=groups))
    )


def _read_by(user: Any) -> Exists:
    return Exists(NotificationRead.objects.filter(notification=OuterRef("pk"), user_id=user.pk))


def inbox_of(user: Any) -> QuerySet[Notification]:
    """``user``'s messages, newest first, each with ``read_at`` (None while unread) and what its link
    needs; one query per page."""
    read_at = NotificationRead.objects.filter(notification=OuterRef("pk"), user_id=user.pk).values("read_at")
    return (
        Notification.objects.filter(_mine(user))
        .annotate(read_at=Subquery(read_at[:1]))
        .select_related("directive", "task", "obligation")
        .order_by("-created_at", "-pk")
    )


def unread_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(_mine(user)).exclude(_read_by(user))


@dataclass(frozen=True)
class Reader:
    """What every page's header needs about the signed-in person, read in one query."""

    time_zone: str  # their preference's IANA name; "" for the company's zone
    unread: int


def reader(user: Any) -> Reader:
    """The person's zone preference and unread count in one query (the header's)."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return Reader("", 0)
    count = (
        unread_of(user)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
        .values("n")
    )
    zone = Preference.objects.filter(user_id=OuterRef("pk")).values("time_zone")[:1]
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(zone=Subquery(zone), unread=Subquery(count, output_field=IntegerField()))
        .values_list("zone", "unread")
        .first()
    )
    if row is None:
        return Reader("", 0)
    return Reader(row[0] or "", int(row[1] or 0))


def subject_url(notification: Notification) -> str:
    """The page of what the message is about: its task, else its directive; "" when it has neither."""
    return links.subject_path(task_id=notification.task_id, directive_id=notification.directive_id)


def subject_label(notification: Notification) -> str:
    if notification.task_id is not None and notification.task is not None:
        return f"Task: {notification.task.title}"
    if notification.directive_id is not None and notification.directive is not None:
        return f"Directive {notification.directive.reference}"
    return ""
