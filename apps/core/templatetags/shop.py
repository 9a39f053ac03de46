from django import template

from apps.core.money import format_won
from apps.core.tsid import encode

register = template.Library()


@register.filter
def won(amount) -> str:
    """₩39,000 — prices are whole won."""
    return format_won(amount)


@register.filter
def tsid(value) -> str:
    """The 13-character form of an id held as a plain int (e.g. in cached data)."""
    return encode(int(value))


@register.filter
def sum_line_totals(lines) -> int:
    return sum(line.line_total for line in lines)
