from __future__ import annotations

from ...models import IntakeItem
from ...services.mailbox import MAX_REASON_CHARS
from ..fields import StrictCharField
from .base import DocketModelSerializer, VersionedInput
from .intake import DirectiveInput


class IntakeItemSerializer(DocketModelSerializer):
    """A message the intake mailbox took in; ``received_at`` is the company mail server's stamp (which
    header gave it: ``received_from``)."""

    class Meta:
        model = IntakeItem
        fields = [
            "id",
            "message_id",
            "sender",
            "sender_name",
            "subject",
            "received_at",
            "received_from",
            "sha256",
            "size",
            "state",
            "directive",
            "dismissed_reason",
            "closed_at",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class IntakeDismissInput(VersionedInput):
    reason = StrictCharField(max_length=MAX_REASON_CHARS, help_text="Why the message is not logged")


class IntakeLogInput(DirectiveInput, VersionedInput):
    """The directive the message is logged as, as reviewed (the same fields as ``POST /directives/``);
    the message and its attachments of an accepted type become its documents."""
