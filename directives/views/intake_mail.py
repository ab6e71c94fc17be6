"""Intake from the order's e-mail: an ``.eml`` or Outlook ``.msg`` is read (``directives/mail.py``) into
the intake form, which legal reviews and logs as usual. The attachments and the message itself become the
directive's documents (staged, so the submit carries them); the receipt instant comes from the company's
own mail server, and the page says which header it was taken from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from .. import instants
from ..choices import DeliveryChannel
from ..errors import DomainError
from ..forms.intake import IntakeForms, MessageUploadForm
from ..mail import EML_TYPE, MSG_TYPE, ParsedMessage, UnreadableMessage, parse_message
from ..models import SenderMapping
from ..permissions import Action
from ..services.common import check_upload
from .common import answers_domain_errors, now, require_view
from .intake import INTAKE
from .staging import StagedUploads


@login_required
@answers_domain_errors
@require_POST
def directive_from_message_view(request: HttpRequest) -> HttpResponse:
    require_view(request, Action.LOG_DIRECTIVE)
    when = now()
    upload_form = MessageUploadForm(request.POST, request.FILES)
    forms = IntakeForms.bind(None, None, now=when)
    context = intake_page_context(forms, when, upload_form)
    if not upload_form.is_valid():
        return render(request, INTAKE, {**context, "form": forms.directive}, status=400)
    upload: UploadedFile = upload_form.cleaned_data["message"]
    name = upload.name or "message.eml"
    data = upload.read(settings.DOCKET_MAX_UPLOAD_BYTES + 1)
    try:
        if len(data) > settings.DOCKET_MAX_UPLOAD_BYTES:
            raise UnreadableMessage(f"{name} is larger than the upload limit.")
        context.update(prefill_from_message(request, forms, name=name, data=data, when=when))
    except UnreadableMessage as exc:
        upload_form.add_error("message", str(exc))
        return render(request, INTAKE, {**context, "form": forms.directive}, status=400)
    return render(request, INTAKE, context)


def intake_page_context(
    forms: IntakeForms, when: dt.datetime, upload_form: MessageUploadForm | None = None
) -> dict[str, Any]:
    """What the intake page needs besides the directive form and a message's prefill."""
    return {
        "products": forms.products,
        "obligations": forms.obligations,
        "now": when,
        "rules_with_amount": "hours calendar_days business_days",
        "message_form": upload_form or MessageUploadForm(),
        "staged": [],
    }


def prefill_from_message(
    request: HttpRequest, forms: IntakeForms, *, name: str, data: bytes, when: dt.datetime
) -> dict[str, Any]:
    """Read the message into the intake form and stage it and its attachments as the directive's
    documents; the page's context for it. Raises ``UnreadableMessage`` when it is not an e-mail."""
    parsed = parse_message(data, name=name, trusted_hosts=settings.DOCKET_TRUSTED_MAIL_HOSTS)
    original_type = MSG_TYPE if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else EML_TYPE
    files = [SimpleUploadedFile(name, data, content_type=original_type)]
    files += [SimpleUploadedFile(a.name, a.data, content_type=a.content_type) for a in parsed.attachments]
    refused = _refused(files)
    stash = StagedUploads(int(request.user.pk or 0))
    staged = stash.stage_new(files, [], when)
    authority = SenderMapping.authority_for(parsed.sender)
    _prefill(forms, parsed, authority, when)
    return {
        "form": forms.directive,
        "staged": staged,
        "from_message": {
            "name": name,
            "sender": parsed.sender,
            "sender_name": parsed.sender_name,
            "authority": authority,
            "received_at": parsed.received_at,
            "received_from": parsed.received_from,
            "zone": instants.zone_of(authority),
            "refused": refused,
        },
    }


def _refused(files: list[SimpleUploadedFile]) -> list[str]:
    """Why each file that will not become a document is refused (its type, its size)."""
    reasons = []
    for upload in files:
        try:
            check_upload(upload)
        except DomainError as exc:
            reasons.append(exc.message)
    return reasons


def _prefill(forms: IntakeForms, parsed: ParsedMessage, authority: Any, when: dt.datetime) -> None:
    form = forms.directive
    initial: dict[str, Any] = {
        "title": parsed.subject,
        "summary": parsed.body,
        "delivery_channel": DeliveryChannel.EMAIL,
    }
    if authority is not None:
        initial["authority"] = authority.pk
    if parsed.received_at is not None:
        local = parsed.received_at.astimezone(instants.zone_of(authority))
        initial["received_date"] = local.date()
        initial["received_time"] = local.time()
        # The receipt to the second, as the mail server stamped it.
        form.fields["received_time"].widget.format = "%H:%M:%S"
        form.fields["received_time"].widget.attrs["step"] = "1"
        form.fields["authority"].widget.attrs["data-fixed-instant"] = parsed.received_at.isoformat()
    form.initial.update(initial)


urlpatterns = [
    path("directives/new/from-message/", directive_from_message_view, name="directive_from_message"),
]
