"""Small builders for pricing inputs: EUR by default, a fixed `NOW`."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from allbuy.core.money import Money
from allbuy.pricing.types import EVERYTHING, Deal, Line, Promotion, PromotionKind, Scope

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def line(
    line_id: int = 1,
    price: str = "10.00",
    quantity: int = 1,
    *,
    variant_id: int | None = None,
    product_id: int | None = None,
    brand_id: int | None = 1,
    category_ids: frozenset[int] = frozenset(),
    currency: str = "EUR",
) -> Line:
    return Line(
        line_id=line_id,
        variant_id=line_id if variant_id is None else variant_id,
        product_id=line_id if product_id is None else product_id,
        brand_id=brand_id,
        category_ids=category_ids,
        unit_price=Money(Decimal(price), currency),
        quantity=quantity,
    )


def deal(variant_id: int, price: str, *, remaining_units: int | None = None) -> Deal:
    return Deal(
        variant_id=variant_id, price=eur(price), starts_at=NOW - HOUR, ends_at=NOW + HOUR, remaining_units=remaining_units
    )


def promotion(
    promotion_id: int, kind: PromotionKind, value: Decimal | Money | None = None, *, scope: Scope = EVERYTHING, **options: object
) -> Promotion:
    return Promotion(id=promotion_id, kind=kind, value=value, scope=scope, starts_at=NOW - HOUR, ends_at=NOW + HOUR, **options)  # type: ignore[arg-type]
