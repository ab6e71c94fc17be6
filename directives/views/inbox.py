"""A person's inbox: what Docket sent them, read or not, each with the link to its task or directive."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from ..selectors import inbox as inbox_selectors
from ..services import inbox as inbox_services
from .common import answers_domain_errors, now, paginate, require_view


@login_required
@answers_domain_errors
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    unread_only = request.GET.get("unread") == "1"
    rows = inbox_selectors.unread_of(request.user) if unread_only else None
    listed = inbox_selectors.inbox_of(request.user)
    if rows is not None:
        listed = listed.filter(pk__in=rows.values("pk"))
    page = paginate(request, listed, inbox_selectors.PAGE_SIZE)
    items = [
        {
            "message": n,
            "subject": str(n.payload.get("subject", "")) if isinstance(n.payload, dict) else "",
            "text": str(n.payload.get("text", "")) if isinstance(n.payload, dict) else "",
            "about": inbox_selectors.subject_label(n),
            "has_link": bool(inbox_selectors.subject_url(n)),
        }
        for n in page.object_list
    ]
    return render(
        request,
        "directives/inbox.html",
        {
            "items": items,
            "page_obj": page,
            "unread_only": unread_only,
            "query": "unread=1" if unread_only else "",
            "now": now(),
        },
    )


@login_required
@answers_domain_errors
@require_GET
def open_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a message's link: it is marked read (reading it is what the mark says) and the browser goes
    to its task or directive."""
    require_view(request)
    message = inbox_services.message_of(user=request.user, notification_id=pk)
    inbox_services.mark_read(user=request.user, notification=message, now=now())
    target = inbox_selectors.subject_url(message)
    return HttpResponseRedirect(target or reverse("inbox"))


@login_required
@answers_domain_errors
@require_POST
def read_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    message = inbox_services.message_of(user=request.user, notification_id=pk)
    inbox_services.mark_read(user=request.user, notification=message, now=now())
    return HttpResponseRedirect(_back(request))


@login_required
@answers_domain_errors
@require_POST
def read_all_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    count = inbox_services.mark_all_read(user=request.user, now=now())
    messages.success(request, f"{count} message{'s' if count != 1 else ''} marked read.")
    return HttpResponseRedirect(_back(request))


def _back(request: HttpRequest) -> str:
    page = request.POST.get("page", "")
    query = "unread=1" if request.POST.get("unread") == "1" else ""
    if page.isdigit() and len(page) < 7:
        query = f"{query}&page={page}" if query else f"page={page}"
    return reverse("inbox") + (f"?{query}" if query else "")


urlpatterns = [
    path("inbox/", inbox_view, name="inbox"),
    path("inbox/read-all/", read_all_view, name="inbox_read_all"),
    path("inbox/<int:pk>/open/", open_view, name="inbox_open"),
    path("inbox/<int:pk>/read/", read_view, name="inbox_read"),
]
