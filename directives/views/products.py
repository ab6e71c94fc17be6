"""The products orders name: the list, and the form legal adds one with (``services.products``, the same as
``POST /api/v1/products/``). Adding one from the intake or a directive page (``?next=``) comes back to it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from ..errors import DomainError
from ..forms.products import ProductForm
from ..models import Product
from ..permissions import Action, can
from ..services import products as product_services
from .common import answers_domain_errors, now, require_view

PAGE = "directives/products.html"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if target and safe else ""


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def product_list_view(request: HttpRequest) -> HttpResponse:
    require_view(request)
    form = ProductForm(request.POST or None, auto_id="id_product_%s")
    status = 200
    if request.method == "POST":
        require_view(request, Action.EDIT_DIRECTIVE)
        status = 400
        if form.is_valid():
            try:
                product = product_services.create_product(actor=request.user, now=now(), **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, f"Added the product {product.name}.")
                return HttpResponseRedirect(_next(request) or reverse("product_list"))
    context = {
        "products": Product.objects.annotate(directive_count=Count("directive_links")).order_by("name"),
        "form": form,
        "can_add": can(request.user, Action.EDIT_DIRECTIVE),
        "next": _next(request),
    }
    return render(request, PAGE, context, status=status)


urlpatterns = [path("products/", product_list_view, name="product_list")]
