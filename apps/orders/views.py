import uuid

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.core.decorators import login_required
from apps.core.errors import ShopError
from apps.core.forms import first_error
from apps.core.htmx import render_fragments
from apps.core.pagination import InvalidCursor
from apps.core.redirects import referer_path

from . import selectors, services
from .forms import CartQuantityForm, CheckoutForm, VariantQuantityForm
from .models import CartItem, Order

CART_COUNT_OOB = "base.html#cart-count"


def _cart_feedback(request, *, ok: bool, message: str):
    context = {
        "ok": ok,
        "message": message,
        "cart_count": selectors.cart_count(user=request.user),
        "oob": True,
    }
    return render_fragments(
        request, ["products/detail.html#cart-feedback", CART_COUNT_OOB], context
    )


def _back(request, fallback: str):
    return redirect(referer_path(request, default=fallback))


@require_POST
@login_required
def cart_add(request):
    form = VariantQuantityForm(request.POST)
    try:
        if not form.is_valid():
            raise services.OrderError(first_error(form))
        services.cart_add(
            user=request.user,
            variant_id=form.cleaned_data["variant"],
            quantity=form.cleaned_data["quantity"],
        )
    except ShopError as error:
        if request.htmx:
            return _cart_feedback(request, ok=False, message=str(error))
        messages.error(request, str(error))
        return _back(request, reverse("orders:cart"))
    if request.htmx:
        return _cart_feedback(request, ok=True, message="Added to your cart.")
    messages.success(request, "Added to your cart.")
    return _back(request, reverse("orders:cart"))


@require_GET
@login_required
def cart(request):
    return render(request, "orders/cart.html", {"cart": selectors.cart_for(user=request.user)})


@require_POST
@login_required
def cart_item_update(request, item_id):
    form = CartQuantityForm(request.POST)
    try:
        if not form.is_valid():
            raise services.OrderError(first_error(form))
        services.cart_set_quantity(
            user=request.user, item_id=item_id, quantity=form.cleaned_data["quantity"]
        )
    except CartItem.DoesNotExist:
        raise Http404("No such cart line.") from None
    except ShopError as error:
        messages.error(request, str(error))
    if request.htmx:
        cart = selectors.cart_for(user=request.user)
        context = {"cart": cart, "cart_count": cart.count, "oob": True}
        return render_fragments(request, ["orders/cart.html#cart-body", CART_COUNT_OOB], context)
    return redirect("orders:cart")


@require_POST
@login_required
def buy_now(request):
    form = VariantQuantityForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _cart_feedback(request, ok=False, message=first_error(form))
        messages.error(request, first_error(form))
        return _back(request, reverse("products:list"))
    query = urlencode(
        {"variant": str(form.cleaned_data["variant"]), "quantity": form.cleaned_data["quantity"]}
    )
    url = f"{reverse('orders:checkout')}?{query}"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _checkout_lines(request, data):
    """The lines being bought: the buy-now line when the form names one, else the cart."""
    variant_id, quantity = data.get("variant"), data.get("quantity") or 1
    if variant_id:
        line = selectors.buy_now_line(variant_id=variant_id, quantity=quantity)
        return ([line] if line else []), True
    return selectors.cart_for(user=request.user).lines, False


@require_http_methods(["GET", "POST"])
@login_required
def checkout(request):
    if request.method == "GET":
        prefill = VariantQuantityForm(request.GET) if request.GET.get("variant") else None
        if prefill is not None and not prefill.is_valid():
            messages.error(request, first_error(prefill))
            return redirect("orders:cart")
        data = prefill.cleaned_data if prefill else {}
        form = CheckoutForm(
            initial={
                "shipping_address": request.user.shipping_address,
                "idempotency_key": uuid.uuid4().hex,
                "variant": data.get("variant"),
                "quantity": data.get("quantity"),
            }
        )
        lines, buy_now = _checkout_lines(request, data)
        if not lines:
            messages.info(request, "Your cart is empty.")
            return redirect("orders:cart")
        return render(
            request, "orders/checkout.html", {"form": form, "lines": lines, "buy_now": buy_now}
        )

    form = CheckoutForm(request.POST)
    if not form.is_valid():
        lines, buy_now = _checkout_lines(request, form.cleaned_data)
        context = {"form": form, "lines": lines, "buy_now": buy_now}
        return render(request, "orders/checkout.html", context, status=400)
    lines, buy_now = _checkout_lines(request, form.cleaned_data)
    try:
        order = services.order_place(
            user=request.user,
            lines=[services.Line(line.item.variant_id, line.item.quantity) for line in lines],
            shipping_address=form.cleaned_data["shipping_address"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            from_cart=not buy_now,
        )
    except ShopError as error:
        form.add_error(None, str(error))
        context = {"form": form, "lines": lines, "buy_now": buy_now}
        return render(request, "orders/checkout.html", context, status=409)
    messages.success(request, "Thank you! Your order is placed.")
    return redirect(order.get_absolute_url())


@require_GET
@login_required
def order_list(request):
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.orders_page(user=request.user, cursor=cursor)
    except InvalidCursor:
        return HttpResponseBadRequest("This page link is broken.")
    template = "orders/list.html#orders-page" if request.htmx and cursor else "orders/list.html"
    return render(request, template, {"page": page})


@require_GET
@login_required
def order_detail(request, order_id):
    try:
        order = selectors.order_for(user=request.user, order_id=order_id)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None
    return render(request, "orders/detail.html", {"order": order})


@require_POST
@login_required
def order_cancel(request, order_id):
    try:
        services.order_cancel(order_id=order_id, user=request.user)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None
    except ShopError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your order is cancelled and its items are back in stock.")
    url = reverse("orders:detail", args=[order_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
