"""Context shared by every page that needs more than one app: the project package
sits above the apps, so it may read from swipe and orders together."""

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from apps.orders.models import CartItem
from apps.swipe.models import Swipe


def header(request):
    """The header's liked-looks and cart counts.

    Both come from one query, made only when a page renders them (callables in the
    context are called by the template on first use)."""
    user = getattr(request, "user", None)
    counts: dict[str, int] = {}

    def load() -> dict[str, int]:
        if not counts:
            counts.update(header_counts(user))
        return counts

    return {"liked_count": lambda: load()["liked"], "cart_count": lambda: load()["cart"]}


def header_counts(user) -> dict[str, int]:
    if user is None or not user.is_authenticated:
        return {"liked": 0, "cart": 0}
    likes = (
        Swipe.objects.filter(user=OuterRef("pk"), reaction=Swipe.Reaction.LIKE)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cart = (
        CartItem.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            liked=Coalesce(Subquery(likes, output_field=IntegerField()), 0),
            cart=Coalesce(Subquery(cart, output_field=IntegerField()), 0),
        )
        .first()
    )
    return row or {"liked": 0, "cart": 0}
