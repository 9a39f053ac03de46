def header(request):
    """Counts the header shows. Callables, so only pages that render them query."""
    user = getattr(request, "user", None)

    def liked_count() -> int:
        from apps.swipe.selectors import liked_count as count

        return count(user=user) if user is not None else 0

    def cart_count() -> int:
        from apps.orders.selectors import cart_count as count

        return count(user=user) if user is not None else 0

    return {"liked_count": liked_count, "cart_count": cart_count}
