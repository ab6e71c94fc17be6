"""Legal works the intake mailbox's queue: each message the mailbox poll took in (``services.mailbox``)
is logged as a directive, through the intake page filled in from it exactly as from an uploaded message,
or dismissed with a reason."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from ..errors import DomainError
from ..forms.intake import IntakeForms
from ..mail import UnreadableMessage
from ..models import IntakeItem
from ..permissions import Action
from ..selectors import intake_queue
from ..services import mailbox as mailbox_services
from .common import answers_domain_errors, now, paginate, require_view
from .intake import INTAKE
from .intake_mail import intake_page_context, prefill_from_message

INBOX = "directives/intake_inbox.html"


def _page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    page = paginate(request, intake_queue.waiting(), intake_queue.PAGE_SIZE)
    context = {
        "page_obj": page,
        "items": page.object_list,
        "closed": intake_queue.recently_closed(),
        "configured": mailbox_services.configured(),
        "mailbox": mailbox_services.mailbox_label() if mailbox_services.configured() else "",
        "interval": settings.DOCKET_INTAKE_IMAP_INTERVAL_SECONDS,
        "error": error,
        "max_reason": mailbox_services.MAX_REASON_CHARS,
    }
    return render(request, INBOX, context, status=status)


@login_required
@answers_domain_errors
@require_GET
def intake_inbox_view(request: HttpRequest) -> HttpResponse:
    require_view(request, Action.LOG_DIRECTIVE)
    return _page(request)


def _item(pk: int) -> IntakeItem:
    item = IntakeItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404("No such message in the intake mailbox.")
    return item


@login_required
@answers_domain_errors
@require_POST
def intake_item_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The intake page, filled in from the message as from an uploaded one, its submit closing the item."""
    require_view(request, Action.LOG_DIRECTIVE)
    item = _item(pk)
    mailbox_services.require_waiting(item)
    when = now()
    forms = IntakeForms.bind(None, None, now=when)
    context = intake_page_context(forms, when)
    try:
        data = mailbox_services.message_bytes(item)
        context.update(
            prefill_from_message(request, forms, name=f"mailbox-{item.pk}.eml", data=data, when=when)
        )
    except UnreadableMessage as exc:
        return _page(request, error=f"{item.subject or 'This message'}: {exc}", status=400)
    context.update(intake_item=item, intake_item_version=item.version)
    return render(request, INTAKE, context)


@login_required
@answers_domain_errors
@require_POST
def intake_item_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request, Action.LOG_DIRECTIVE)
    item = _item(pk)
    version = request.POST.get("version", "")
    try:
        mailbox_services.dismiss_item(
            item=item,
            reason=request.POST.get("reason", ""),
            actor=request.user,
            now=now(),
            expected_version=int(version) if version.isdigit() and len(version) < 10 else None,
        )
    except DomainError as exc:
        return _page(
            request, error=f"{item.subject or 'This message'}: {exc.message}", status=exc.status_code
        )
    messages.success(request, f"Dismissed: {item.subject or item.message_id}.")
    return HttpResponseRedirect(reverse("intake_inbox"))


urlpatterns = [
    path("intake/inbox/", intake_inbox_view, name="intake_inbox"),
    path("intake/inbox/<int:pk>/log/", intake_item_log_view, name="intake_item_log"),
    path("intake/inbox/<int:pk>/dismiss/", intake_item_dismiss_view, name="intake_item_dismiss"),
]
