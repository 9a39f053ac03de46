from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.decorators import login_required
from apps.core.pages import digest, release
from apps.core.pagination import InvalidCursor

from . import rules, selectors, services
from .forms import LikeForm, ProductListForm
from .models import Product


def _page_url(query: selectors.ProductQuery, cursor: str | None) -> str:
    params = {"sort": query.sort}
    if query.category:
        params["category"] = query.category.slug
    if query.text:
        params["q"] = query.text
    if cursor:
        params["cursor"] = cursor
    return "?" + urlencode(params)


def cards_version(products) -> str:
    """A digest of everything the product cards show, read fresh with the page (likes
    and whether a size is in stock included), and of the release: the cards' rendering
    is cached under it, so a change is a new entry and nothing stale is shown."""
    return digest(
        [
            release(),
            [
                (
                    p.pk,
                    p.name,
                    p.base_price,
                    p.thumbnail.name,
                    p.likes_count,
                    p.in_stock,
                    p.store.name,
                )
                for p in products
            ],
        ]
    )


def _navigation(query: selectors.ProductQuery, categories) -> dict:
    """Links for the sort tabs and category chips, each keeping the rest of the query."""
    Q = selectors.ProductQuery
    return {
        "sort_tabs": [
            (value, label, _page_url(Q(value, query.category, query.text), None))
            for value, label in selectors.Sort.CHOICES
        ],
        "category_urls": [
            (category, _page_url(Q(query.sort, category, query.text), None))
            for category in categories
        ],
        "all_categories_url": _page_url(Q(query.sort, None, query.text), None),
        "search_max_length": rules.SEARCH_MAX_LENGTH,
        "new_in_days": rules.NEW_IN_DAYS,
    }


@require_GET
@vary_on_headers("HX-Request")
def product_list(request):
    form = ProductListForm(request.GET)
    if not form.is_valid():
        query = selectors.ProductQuery()
        context = {
            "query": query,
            "errors": [error for errors in form.errors.values() for error in errors],
            **_navigation(query, form.categories),
        }
        return render(request, "products/list.html", context, status=400)

    query = form.product_query()
    cursor = form.cleaned_data["cursor"] or None
    try:
        page = selectors.product_list(query=query, cursor=cursor)
    except InvalidCursor:
        if request.htmx:
            return HttpResponseBadRequest("This page link is broken.")
        messages.info(request, "That page link was out of date, so here is the first page.")
        cursor = None
        page = selectors.product_list(query=query, cursor=None)
    context = {
        "query": query,
        "page": page,
        "cards_version": cards_version(page.items),
        "next_url": _page_url(query, page.next_cursor) if page.has_next else None,
    }
    if request.htmx and cursor:
        # Infinite scroll: just the next cards, no chips or tabs to build.
        return render(request, "products/list.html#page", context)
    context.update(_navigation(query, form.categories))
    return render(request, "products/list.html", context)


def _product_or_404(product_id, user=None) -> selectors.ProductDetail:
    try:
        return selectors.product_detail(product_id=product_id, user=user)
    except Product.DoesNotExist:
        raise Http404("No such product.") from None


def page_version(product, variants, images) -> str:
    """A digest of everything the product page's gallery and size picker show, read
    fresh with the page (each size's stock state and price, and its stock when it says
    "Only N left"), and of the release: their rendering is cached under it, so a change
    is a new entry and nothing stale is shown. The forms' CSRF tokens, the like button
    and the shopper's own state are rendered around them, never cached."""
    return digest(
        [
            release(),
            (product.pk, product.name, product.base_price, product.thumbnail.name),
            [(image.pk, image.image.name, image.alt, image.colour) for image in images],
            [
                (
                    variant.pk,
                    variant.size,
                    variant.colour,
                    variant.price,
                    variant.stock_state,
                    variant.stock if variant.stock_state == "low" else None,
                )
                for variant in variants
            ],
        ]
    )


@require_GET
def product_detail(request, product_id):
    detail = _product_or_404(product_id, user=request.user)
    product, variants, images = detail.product, detail.variants, detail.images
    context = {
        "product": product,
        "page_version": page_version(product, variants, images),
        "colour_groups": selectors.by_colour(variants),
        "images": images,
        # Colour-tagged photos cover every colour, the thumbnail among them.
        "show_thumbnail": not any(image.colour for image in images),
        "sold_out": all(variant.sold_out for variant in variants),
        "liked": detail.liked,
        "quantity_choices": range(1, rules.MAX_LINE_QUANTITY + 1),
    }
    return render(request, "products/detail.html", context)


@require_POST
@login_required
def product_like(request, product_id):
    form = LikeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors["liked"][0])
    try:
        state = services.product_like_set(
            user=request.user, product_id=product_id, liked=form.cleaned_data["liked"]
        )
    except services.ProductUnavailable:
        raise Http404("No such product.") from None
    context = {"product_id": product_id, "liked": state.liked, "likes_count": state.likes_count}
    if request.htmx:
        return render(request, "products/detail.html#like-button", context)
    messages.success(request, "Added to your likes." if state.liked else "Removed from your likes.")
    return redirect("products:detail", product_id=product_id)
