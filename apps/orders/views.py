import uuid

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.core import tsid
from apps.core.decorators import login_required
from apps.core.errors import ShopError
from apps.core.forms import first_error
from apps.core.htmx import render_fragments
from apps.core.pagination import InvalidCursor
from apps.core.redirects import referer_path

from . import selectors, services
from .forms import CartQuantityForm, CheckoutForm, LinesForm
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


def _added_message(pieces: int) -> str:
    return "Added to your cart." if pieces == 1 else f"Added {pieces} pieces to your cart."


@require_POST
@login_required
def cart_add(request):
    """Add one size (a product page) or the picked pieces of a look, in one request."""
    form = LinesForm(request.POST)
    try:
        if not form.is_valid():
            raise services.OrderError(first_error(form))
        lines = form.cleaned_data["lines"]
        services.cart_add_lines(user=request.user, lines=lines)
    except ShopError as error:
        if request.htmx:
            return _cart_feedback(request, ok=False, message=str(error))
        messages.error(request, str(error))
        return _back(request, reverse("orders:cart"))
    if request.htmx:
        return _cart_feedback(request, ok=True, message=_added_message(len(lines)))
    messages.success(request, _added_message(len(lines)))
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


def _lines_query(lines) -> str:
    pairs = []
    for line in lines:
        pairs += [("variant", tsid.encode(line.variant_id)), ("quantity", line.quantity)]
    return urlencode(pairs)


@require_POST
@login_required
def buy_now(request):
    """Straight to a checkout of the picked size (or the picked pieces of a look)."""
    form = LinesForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return _cart_feedback(request, ok=False, message=first_error(form))
        messages.error(request, first_error(form))
        return _back(request, reverse("products:list"))
    url = f"{reverse('orders:checkout')}?{_lines_query(form.cleaned_data['lines'])}"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _checkout_lines(request, source) -> tuple[list | None, list, bool] | None:
    """What is being bought: the buy-now lines when the request names them, else the
    cart — as lines to show and as the lines to order (a named size that has gone is
    still ordered, so the order fails and says so instead of quietly buying less).
    A buy-now's lines to show are None: read only when a page shows them, not when
    the order goes through. None when the named lines are malformed."""
    if "variant" not in source:
        shown = selectors.cart_for(user=request.user).lines
        return (
            shown,
            [services.Line(line.item.variant_id, line.item.quantity) for line in shown],
            False,
        )
    form = LinesForm(source)
    if not form.is_valid():
        return None
    return None, form.cleaned_data["lines"], True


def _shown(lines, ordered) -> list:
    """The lines a page shows: a buy-now's are read from its ordered lines on demand."""
    return selectors.buy_now_lines(lines=ordered) if lines is None else lines


def _checkout_page(request, form, lines, ordered, buy_now, status=200):
    context = {
        "form": form,
        "lines": _shown(lines, ordered),
        "buy_now": buy_now,
        # A buy-now form carries its lines as they were asked for.
        "ordered": [(tsid.encode(line.variant_id), line.quantity) for line in ordered],
    }
    return render(request, "orders/checkout.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def checkout(request):
    source = request.GET if request.method == "GET" else request.POST
    chosen = _checkout_lines(request, source)
    if chosen is None:
        if request.method == "POST":
            return HttpResponseBadRequest("This checkout form is broken. Please check out again.")
        messages.error(request, "Choose a size first.")
        return redirect("orders:cart")
    lines, ordered, buy_now = chosen
    if request.method == "GET":
        lines = _shown(lines, ordered)
        if not lines:
            gone = "That item is no longer on sale." if buy_now else "Your cart is empty."
            messages.info(request, gone)
            return redirect("orders:cart")
        form = CheckoutForm(
            initial={
                "shipping_address": request.user.shipping_address,
                "idempotency_key": uuid.uuid4().hex,
            }
        )
        return _checkout_page(request, form, lines, ordered, buy_now)

    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return _checkout_page(request, form, lines, ordered, buy_now, status=400)
    try:
        order = services.order_place(
            user=request.user,
            lines=ordered,
            shipping_address=form.cleaned_data["shipping_address"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            from_cart=not buy_now,
        )
    except ShopError as error:
        form.add_error(None, str(error))
        return _checkout_page(request, form, lines, ordered, buy_now, status=409)
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
    context = {
        "page": page,
        "orders": selectors.OrdersWithItems(page.items),
        "orders_version": selectors.orders_version(page.items),
    }
    return render(request, template, context)


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
