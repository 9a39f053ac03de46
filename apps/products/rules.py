"""The catalogue's shop rules, each stated once. Pages, forms, services and the
orders app read them from here."""

LOW_STOCK = 3  # a size with this many units or fewer says "Only N left"
MAX_LINE_QUANTITY = 10  # units of one size a shopper may put in one cart line or order line
NEW_IN_DAYS = 30  # "New in" lists products created within this many days
SEARCH_MAX_LENGTH = 100  # characters of a catalogue search


def size_price(price_override: int | None, base_price: int) -> int:
    """What a size costs: its own price when it has one, else its product's."""
    return base_price if price_override is None else price_override


def stock_state(stock: int) -> str:
    """How a size's stock reads to a shopper: "sold_out", "low" or "in_stock"."""
    if stock <= 0:
        return "sold_out"
    if stock <= LOW_STOCK:
        return "low"
    return "in_stock"


# The sizes a new product starts with in the admin, by category slug. Staff change,
# add or remove rows before saving; the demo catalogue makes its products in these.
SIZES_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "tops": ("S", "M", "L", "XL"),
    "bottoms": ("S", "M", "L", "XL"),
    "outer": ("S", "M", "L", "XL"),
    "shoes": ("240", "250", "260", "270", "280"),
    "bags": ("FREE",),
    "accessories": ("FREE",),
}
GENERAL_SIZES = ("S", "M", "L")  # a category without sizes of its own, or none chosen yet


def default_sizes(category_slug: str | None) -> tuple[str, ...]:
    """The usual sizes of a category (S/M/L when it has none of its own)."""
    return SIZES_BY_CATEGORY.get(category_slug or "", GENERAL_SIZES)
