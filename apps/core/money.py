"""Money is whole won, held as integers (never float)."""


def format_won(amount: int | None) -> str:
    """₩39,000. ``None`` (no amount) is an empty string."""
    if amount is None or amount == "":
        return ""
    return f"₩{int(amount):,}"
