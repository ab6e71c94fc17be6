"""The timeline page: every directive's legal record, or one directive's, in chronological order, with
both zones, corrections beside what they supersede and the hash chain's verification."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from ..choices import EntryKind
from ..models import Directive
from ..permissions import Action, can
from ..selectors.timeline import group_corrections, timeline_queryset
from ..services.timeline import verify_chain
from .common import (
    answers_domain_errors,
    get_directive,
    now,
    paginate,
    query_without_page,
    render_page,
    require_view,
)

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
    page = paginate(request, qs, PAGE_SIZE)
    rows = group_corrections(list(page.object_list))
    if directive is not None:
        chains = [(directive, verify_chain(directive.pk))]
    else:
        chains = [
            (d, verify_chain(d.pk))
            for d in Directive.objects.select_related("authority").order_by("-received_at")
        ]
    context = {
        "directive": directive,
        "rows": rows,
        "page_obj": page,
        "kinds": EntryKind.choices,
        "selected_kinds": kinds,
        "order": "desc" if newest_first else "asc",
        "chains": chains,
        "all_ok": all(report.ok for _, report in chains),
        "query": query_without_page(request),
        "can_correct": can(request.user, Action.RECORD_ACTION, directive),
        "now": now(),
    }
    return render_page(request, "directives/timeline.html", "entries", context)


urlpatterns = [
    path("timeline/", timeline_view, name="timeline"),
    path("directives/<int:pk>/timeline/", timeline_view, name="directive_timeline"),
]
