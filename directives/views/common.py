"""What every area's views share: the clock, the refusal of a business rule answered as a page, the
role check, htmx rendering and paging."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ..errors import DomainError, NotAllowed
from ..models import Directive
from ..permissions import Action, require

logger = logging.getLogger("docket.views")
P = ParamSpec("P")


def now() -> dt.datetime:
    return timezone.now()


def answers_domain_errors(
    view: Callable[Concatenate[HttpRequest, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """A business rule's refusal that a view did not answer itself still reaches the person as a clear
    page with its status (400, 403, 409), never as a 500."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            logger.info("domain error answered", extra={"code": exc.code, "path": request.path})
            return render(
                request,
                "directives/problem.html",
                {"message": exc.message, "status": exc.status_code},
                status=exc.status_code,
            )

    return wrapper


def require_view(
    request: HttpRequest, action: Action = Action.VIEW, obj: Any = None, *, reason: str = ""
) -> None:
    """A refusal as a 403 page that says why: ``reason``, or the role table's sentence."""
    try:
        require(request.user, action, obj)
    except NotAllowed as exc:
        raise PermissionDenied(reason or exc.message) from exc


def get_directive(pk: int) -> Directive:
    directive = Directive.objects.select_related("authority").filter(pk=pk).first()
    if directive is None:
        raise Http404("No such directive.")
    return directive


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def render_page(
    request: HttpRequest, template: str, fragment: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The whole page, or its ``fragment`` (a ``{% partialdef %}``) when htmx asks; caches are told that
    the two share a URL."""
    name = f"{template}#{fragment}" if is_htmx(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def auto_id(form_name: str) -> str:
    """Field ids unique per form: a page that holds several forms with the same field names."""
    return f"id_{form_name}_%s"


def paginate(request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], per_page: int) -> Page[Any]:
    """The page the query string asks for (``page``); the last one past the end, the first one for
    anything that is not a number."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The query string of the filters in use (those given a value), to carry on to the other pages."""
    query = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        kept = [v for v in values if v]
        if key != "page" and kept:
            query.setlist(key, kept)
    return query.urlencode()
