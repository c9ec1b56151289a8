"""Template filters and tags for prices and stock."""

from decimal import Decimal

from django import template
from django.conf import settings

from allbuy.core.money import money_format
from allbuy.storefront.stock import StockState, saving_percent, stock_state

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """Format `amount` in `currency` (the shop's currency by default); nothing for a missing amount."""
    if amount is None:
        return ""
    return money_format(amount, currency or settings.ALLBUY_CURRENCY)


@register.filter
def saving(price: Decimal | None, compare_at: Decimal | None) -> int:
    return saving_percent(price, compare_at)


@register.filter
def stock(quantity: int | None) -> StockState:
    return stock_state(quantity)
