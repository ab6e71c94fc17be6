"""The products orders name: the list, and the form legal adds one with (``services.products``, the same as
``POST /api/v1/products/``). Adding one from the intake or a directive page (``?next=``) comes back to it.
Each product's control page sets, changes and removes the switch of its access (``services.controls``, the
same as ``/api/v1/products/{id}/control/``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from ..errors import DomainError
from ..forms.products import ControlForm, ProductForm
from ..models import Control, Product
from ..permissions import Action, can
from ..services import controls as control_services
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
        "products": Product.objects.annotate(directive_count=Count("directive_links"))
        .prefetch_related(Prefetch("control", queryset=Control.objects.filter(active=True)))
        .order_by("name"),
        "form": form,
        "can_add": can(request.user, Action.EDIT_DIRECTIVE),
        "next": _next(request),
    }
    return render(request, PAGE, context, status=status)


CONTROL_PAGE = "directives/product_control.html"


def _product(pk: int) -> Product:
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise Http404("No such product.")
    return product


def _control_page(
    request: HttpRequest, product: Product, form: ControlForm, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "product": product,
        "control": control_services.current_control(product),
        "form": form,
        "error": error,
        "can_manage": can(request.user, Action.MANAGE_CONTROLS),
    }
    return render(request, CONTROL_PAGE, context, status=status)


@login_required
@answers_domain_errors
@require_http_methods(["GET", "POST"])
def product_control_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The product's control as it is, and the form that sets or changes it."""
    require_view(request)
    product = _product(pk)
    form = ControlForm(request.POST or None, control=control_services.current_control(product))
    if request.method != "POST":
        return _control_page(request, product, form)
    require_view(request, Action.MANAGE_CONTROLS)
    status = 400
    if form.is_valid():
        try:
            control = control_services.set_control(
                product=product,
                kind=form.cleaned_data["kind"],
                target=form.target(),
                owner=form.cleaned_data["owner"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, f"{product.name} is connected: {control.get_kind_display()}.")
            return HttpResponseRedirect(reverse("product_control", args=[product.pk]))
    return _control_page(request, product, form, status=status)


@login_required
@answers_domain_errors
@require_POST
def product_control_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request, Action.MANAGE_CONTROLS)
    product = _product(pk)
    try:
        control_services.remove_control(product=product, actor=request.user)
    except DomainError as exc:
        form = ControlForm(control=control_services.current_control(product))
        return _control_page(request, product, form, error=exc.message, status=exc.status_code)
    messages.success(request, f"Removed the control of {product.name}: its access changes are only recorded.")
    return HttpResponseRedirect(reverse("product_control", args=[product.pk]))


urlpatterns = [
    path("products/", product_list_view, name="product_list"),
    path("products/<int:pk>/control/", product_control_view, name="product_control"),
    path("products/<int:pk>/control/remove/", product_control_remove_view, name="product_control_remove"),
]
