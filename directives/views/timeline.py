"""The timeline page: every directive's legal record, or one directive's, in chronological order, with
both zones, corrections beside what they supersede and the hash chain's verification."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..choices import EntryKind
from ..models import Directive
from ..permissions import Action, can
from ..selectors.timeline import group_corrections, timeline_queryset
from ..services.timeline import verify_chain
from .legal import answers_domain_errors, get_directive, require_view

PAGE_SIZE = 100


@login_required
@answers_domain_errors
@require_GET
def timeline_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_view(request)
    directive = get_directive(pk) if pk is not None else None
    kinds = [k for k in request.GET.getlist("kind") if k in EntryKind.values]
    order = request.GET.get("order", "asc" if directive else "desc")
    newest_first = order == "desc"
    qs = timeline_queryset(
        directive_id=directive.pk if directive else None, kinds=kinds, newest_first=newest_first
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = group_corrections(list(page.object_list))
    if directive is not None:
        chains = [(directive, verify_chain(directive.pk))]
    else:
        chains = [
            (d, verify_chain(d.pk))
            for d in Directive.objects.select_related("authority").order_by("-received_at")
        ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "directive": directive,
        "rows": rows,
        "page_obj": page,
        "kinds": EntryKind.choices,
        "selected_kinds": kinds,
        "order": "desc" if newest_first else "asc",
        "chains": chains,
        "all_ok": all(report.ok for _, report in chains),
        "query": query.urlencode(),
        "can_correct": can(request.user, Action.RECORD_ACTION, directive),
        "now": timezone.now(),
    }
    template = (
        "directives/timeline.html#entries" if getattr(request, "htmx", False) else "directives/timeline.html"
    )
    return render(request, template, context)


urlpatterns = [
    path("timeline/", timeline_view, name="timeline"),
    path("directives/<int:pk>/timeline/", timeline_view, name="directive_timeline"),
]
