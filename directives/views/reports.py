"""The compliance report of one directive, for a regulator or counsel: printable HTML (with its own print
stylesheet, so "Print" in a browser gives the same contents), PDF, and the timeline as CSV. The PDF and
the CSV are built by ``directives/exports/`` from the same selector data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from ..exports.pdf import report_pdf
from ..exports.timeline_csv import timeline_csv
from ..selectors.directives import report_data
from ..services.timeline import verify_chain
from .common import answers_domain_errors, get_directive, now, require_view


@login_required
@answers_domain_errors
@require_GET
def report_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    get_directive(pk)
    when = now()
    data = report_data(pk, now=when)
    context = {
        "data": data,
        "directive": data.directive,
        "page": data.page,
        "chain": verify_chain(pk),
        "zone": data.zone,
        "now": when,
        "entries": data.all_entries(),
    }
    return render(request, "directives/report.html", context)


@login_required
@answers_domain_errors
@require_GET
def timeline_csv_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    directive = get_directive(pk)
    data = report_data(pk, now=now())
    body = timeline_csv(data.all_entries(), data.zone)
    return _attachment(
        body.encode(), "text/csv; charset=utf-8", f"{_filename(directive.reference)}-timeline.csv"
    )


@login_required
@answers_domain_errors
@require_GET
def report_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    directive = get_directive(pk)
    when = now()
    body = report_pdf(report_data(pk, now=when), chain=verify_chain(pk), generated_at=when)
    return _attachment(body, "application/pdf", f"{_filename(directive.reference)}-compliance-report.pdf")


def _attachment(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _filename(reference: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in reference)[:100] or "directive"


urlpatterns = [
    path("directives/<int:pk>/report/", report_view, name="directive_report"),
    path("directives/<int:pk>/report.pdf", report_pdf_view, name="directive_report_pdf"),
    path("directives/<int:pk>/timeline.csv", timeline_csv_view, name="directive_timeline_csv"),
]
