"""Legal keeps the issuing authorities from the intake page: the list, add one, edit one. Adding from the
intake (``?next=`` the intake) comes back to it with the new authority chosen, since the person just
chose it by adding it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from ..errors import DomainError, StaleVersion
from ..forms.authorities import AuthorityForm
from ..models import Authority
from ..permissions import Action
from ..services import authorities as authority_services
from ..services import directives as directive_services
from .common import answers_domain_errors, require_view

PAGE = "directives/authorities.html"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if target and safe else ""


def _page(
    request: HttpRequest, form: AuthorityForm, *, editing: Authority | None, status: int = 200
) -> HttpResponse:
    context = {
        "authorities": Authority.objects.annotate(directive_count=Count("directives")).order_by("name"),
        "form": form,
        "editing": editing,
        "next": _next(request),
    }
    return render(request, PAGE, context, status=status)


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def authority_list_view(request: HttpRequest) -> HttpResponse:
    """The authorities, and the form that adds one."""
    require_view(request, Action.LOG_DIRECTIVE)
    form = AuthorityForm(request.POST or None, auto_id="id_authority_%s")
    if request.method == "POST":
        if form.is_valid():
            try:
                authority = directive_services.create_authority(actor=request.user, **form.changes())
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Added {authority.name} ({authority.time_zone}).")
                target = _next(request)
                if target:
                    return HttpResponseRedirect(f"{target}?authority={authority.pk}")
                return HttpResponseRedirect(reverse("authority_list"))
        return _page(request, form, editing=None, status=400)
    return _page(request, form, editing=None)


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def authority_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request, Action.LOG_DIRECTIVE)
    authority = Authority.objects.filter(pk=pk).first()
    if authority is None:
        raise Http404("No such authority.")
    form = AuthorityForm(request.POST or None, authority=authority, auto_id="id_authority_%s")
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                authority_services.update_authority(
                    authority=authority,
                    changes=form.changes(),
                    expected_version=form.cleaned_data.get("version"),
                    actor=request.user,
                )
            except StaleVersion as exc:
                # The input is kept and carries the version now stored: a second submit goes through.
                data = request.POST.copy()
                data["version"] = str(exc.context.get("current_version", ""))
                form = AuthorityForm(data, authority=authority, auto_id="id_authority_%s")
                form.is_valid()
                form.add_error(None, exc.message)
                status = exc.status_code
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, f"Saved {authority.name}.")
                return HttpResponseRedirect(_next(request) or reverse("authority_list"))
        return _page(request, form, editing=authority, status=status)
    return _page(request, form, editing=authority)


urlpatterns = [
    path("authorities/", authority_list_view, name="authority_list"),
    path("authorities/<int:pk>/", authority_edit_view, name="authority_edit"),
]
