from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from apps.core.decorators import login_required
from apps.core.forms import first_error
from apps.core.htmx import render_fragments
from apps.core.pages import render_public
from apps.core.pagination import InvalidCursor

from . import selectors, services
from .forms import SwipeForm, UndoForm


def _deck_context(request, *, top=None, last_swipe=None) -> dict:
    return {
        "deck": selectors.feed_deck(user=request.user, top=top),
        # The undo button names the latest swipe; a swipe just created is that one.
        "last_swipe": last_swipe or selectors.last_swipe(user=request.user),
    }


LIKED_COUNT_OOB = "base.html#liked-count"


def _render_deck(request, *, top=None, last_swipe=None, liked_count=None):
    """The deck fragment for htmx, with the header's liked count out of band (counted
    here unless the swipe's own statement counted it)."""
    context = _deck_context(request, top=top, last_swipe=last_swipe)
    if liked_count is None:
        liked_count = selectors.liked_count(user=request.user)
    context.update(liked_count=liked_count, oob=True)
    return render_fragments(request, ["swipe/feed.html#deck", LIKED_COUNT_OOB], context)


@require_GET
def feed(request):
    return render(request, "swipe/feed.html", _deck_context(request))


@require_POST
@login_required
def swipe(request, look_id):
    form = SwipeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(first_error(form))
    try:
        result = services.swipe_record(
            user=request.user, look_id=look_id, reaction=form.cleaned_data["reaction"]
        )
    except services.LookUnavailable as exc:
        if request.htmx and form.cleaned_data["source"] != "liked":
            messages.warning(request, exc.message)
            return _render_deck(request)
        raise Http404(exc.message) from None

    if form.cleaned_data["source"] == "liked":
        if request.htmx:  # the card leaves the liked grid; the header count follows
            context = {"liked_count": selectors.liked_count(user=request.user), "oob": True}
            return render_fragments(request, [LIKED_COUNT_OOB], context)
        messages.success(request, "Removed from your liked looks.")
        return redirect("swipe:liked")
    if request.htmx:
        latest = result.swipe if result.created else None
        return _render_deck(
            request,
            top=form.cleaned_data["next"],
            last_swipe=latest,
            liked_count=result.liked_count,
        )
    return redirect("swipe:feed")


@require_POST
@login_required
def undo(request):
    form = UndoForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("That undo button is out of date. Reload the page.")
    undone = services.swipe_undo(user=request.user, swipe_id=form.cleaned_data["swipe"])
    if undone is None:
        messages.info(request, "Nothing to undo.")
    if request.htmx:
        return _render_deck(request, top=undone.look_id if undone else None)
    return redirect("swipe:feed")


@require_GET
@login_required
@vary_on_headers("HX-Request")
def liked(request):
    cursor = request.GET.get("cursor") or None
    try:
        page = selectors.liked_looks(user=request.user, cursor=cursor)
    except InvalidCursor:
        if request.htmx:
            return HttpResponseBadRequest("This page link is broken.")
        messages.info(request, "That page link was out of date, so here is the first page.")
        cursor, page = None, selectors.liked_looks(user=request.user, cursor=None)
    context = {"page": page}
    template = "swipe/liked.html#liked-page" if request.htmx and cursor else "swipe/liked.html"
    return render(request, template, context)


@require_GET
def look_detail(request, look_id):
    look = selectors.look_detail(look_id=look_id)
    if look is None:
        raise Http404("No such look.")
    # look["version"] is a digest of all the page shows (selectors.look_detail).
    return render_public(request, "swipe/detail.html", {"look": look}, version=look["version"])
