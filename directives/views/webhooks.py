"""Webhook subscriptions for administrators: the list, add one, change one, remove one
(``services.webhooks``, the same as ``/api/v1/webhooks/``). The secret is never shown back."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from ..errors import DomainError
from ..forms.products import WebhookForm
from ..models import WebhookEndpoint
from ..permissions import Action
from ..services import webhooks as webhook_services
from .common import answers_domain_errors, require_view

PAGE = "directives/webhooks.html"


def _page(
    request: HttpRequest,
    form: WebhookForm,
    *,
    editing: WebhookEndpoint | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "webhooks": WebhookEndpoint.objects.annotate(sent=Count("notifications")).order_by("name"),
        "form": form,
        "editing": editing,
        "error": error,
    }
    return render(request, PAGE, context, status=status)


def _webhook(pk: int) -> WebhookEndpoint:
    webhook = WebhookEndpoint.objects.filter(pk=pk).first()
    if webhook is None:
        raise Http404("No such webhook.")
    return webhook


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def webhook_list_view(request: HttpRequest) -> HttpResponse:
    """The subscriptions, and the form that adds one."""
    require_view(request, Action.MANAGE_WEBHOOKS)
    form = WebhookForm(request.POST or None, auto_id="id_webhook_%s")
    if request.method != "POST":
        return _page(request, form)
    status = 400
    if form.is_valid():
        try:
            webhook = webhook_services.create_webhook(actor=request.user, **form.changes())
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, f"Subscribed {webhook.name} ({webhook.url}).")
            return HttpResponseRedirect(reverse("webhook_list"))
    return _page(request, form, status=status)


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def webhook_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request, Action.MANAGE_WEBHOOKS)
    webhook = _webhook(pk)
    form = WebhookForm(request.POST or None, webhook=webhook, auto_id="id_webhook_%s")
    if request.method != "POST":
        return _page(request, form, editing=webhook)
    status = 400
    if form.is_valid():
        try:
            webhook_services.update_webhook(webhook=webhook, changes=form.changes(), actor=request.user)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, f"Saved {webhook.name}.")
            return HttpResponseRedirect(reverse("webhook_list"))
    return _page(request, form, editing=webhook, status=status)


@login_required
@answers_domain_errors
@require_POST
def webhook_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request, Action.MANAGE_WEBHOOKS)
    webhook = _webhook(pk)
    name = webhook.name
    try:
        webhook_services.delete_webhook(webhook=webhook, actor=request.user)
    except DomainError as exc:
        form = WebhookForm(auto_id="id_webhook_%s")
        return _page(request, form, error=exc.message, status=exc.status_code)
    messages.success(request, f"Removed the webhook {name}.")
    return HttpResponseRedirect(reverse("webhook_list"))


urlpatterns = [
    path("webhooks/", webhook_list_view, name="webhook_list"),
    path("webhooks/<int:pk>/", webhook_edit_view, name="webhook_edit"),
    path("webhooks/<int:pk>/delete/", webhook_delete_view, name="webhook_delete"),
]
