"""Search: directives, their documents' text, tasks and timeline entries, best first, each hit with its
matching passage highlighted (``selectors.search``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from ..selectors.search import MAX_WORDS, search
from .common import render_page, require_view

PAGE_SIZE = 20
MAX_QUERY_CHARS = 500


@login_required
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    query = request.GET.get("q", "")[:MAX_QUERY_CHARS].replace("\x00", "")
    number = request.GET.get("page", "1")
    page_number = int(number) if number.isdigit() and 0 < int(number) < 100_000 else 1
    results = search(query, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    if results.total and not results.hits and page_number > 1:  # past the end: the last page
        page_number = (results.total - 1) // PAGE_SIZE + 1
        results = search(query, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    paginator = Paginator(range(results.total), PAGE_SIZE)
    context = {
        "query": query,
        "results": results,
        "page_obj": paginator.get_page(page_number) if results.total else None,
        "max_words": MAX_WORDS,
    }
    return render_page(request, "search.html", "results", context)


urlpatterns = [path("search/", search_view, name="search")]
