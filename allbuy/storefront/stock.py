"""How stock and savings read to a shopper."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

LOW_STOCK = 5


@dataclass(frozen=True)
class StockState:
    label: str
    tone: str  # "in", "low" or "out": the badge's colour


def stock_state(quantity: int | None) -> StockState:
    quantity = quantity or 0
    if quantity <= 0:
        return StockState(label="Out of stock", tone="out")
    if quantity <= LOW_STOCK:
        return StockState(label=f"Only {quantity} left", tone="low")
    return StockState(label="In stock", tone="in")


def saving_percent(price: Decimal | None, compare_at: Decimal | None) -> int:
    """Return the whole percent saved against the compare-at price, rounded down so it never overstates."""
    if price is None or compare_at is None or compare_at <= price or compare_at <= 0:
        return 0
    return int(((compare_at - price) * 100 / compare_at).to_integral_value(rounding=ROUND_FLOOR))
