"""Reads of carts: the lines as a shopper sees them (current price, stock, what changed) and their quote."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch

from allbuy.accounts.models import User
from allbuy.cart.models import Cart, CartLine
from allbuy.cart.quoting import DEFAULT_COUNTRY, CouponState, LineInput, PricedCart, cart_price
from allbuy.cart.shipping import DEFAULT_METHOD
from allbuy.catalog.models import Product, ProductImage, Variant
from allbuy.core import clock
from allbuy.core.money import money_format
from allbuy.pricing.types import QuoteLine


@dataclass(frozen=True, slots=True)
class LineView:
    line: CartLine
    quote: QuoteLine
    deal_title: str = ""

    @property
    def variant(self) -> Variant:
        return self.line.variant

    @property
    def product(self) -> Product:
        return self.line.variant.product

    @property
    def image(self) -> ProductImage | None:
        images = list(self.product.images.all())
        colour = self.variant.attributes.get("colour", "")
        return next((img for img in images if img.colour == colour), images[0] if images else None)

    @property
    def stock(self) -> int:
        return int(self.variant.stock_quantity)

    @property
    def available(self) -> bool:
        return self.product.is_active and self.stock >= self.line.quantity

    @property
    def price_changed(self) -> bool:
        return self.line.price_seen != self.variant.price

    @property
    def price_was(self) -> Decimal:
        return self.line.price_seen

    @property
    def options(self) -> str:
        return " / ".join(str(value) for value in self.variant.attributes.values())


@dataclass(frozen=True, slots=True)
class CartView:
    cart: Cart | None
    lines: tuple[LineView, ...] = ()
    priced: PricedCart | None = None
    notices: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def item_count(self) -> int:
        return sum(view.line.quantity for view in self.lines)

    @property
    def coupon(self) -> CouponState | None:
        return self.priced.coupon if self.priced else None

    @property
    def unavailable(self) -> tuple[LineView, ...]:
        return tuple(view for view in self.lines if not view.available)


def cart_lines(cart: Cart, *, images: bool = True) -> list[CartLine]:
    """The cart's lines with variant, product, brand and category; with the product images for pages."""
    qs = CartLine.objects.filter(cart=cart).select_related("variant__product__brand", "variant__product__category")
    if images:
        qs = qs.prefetch_related(Prefetch("variant__product__images", queryset=ProductImage.objects.order_by("position", "id")))
    return list(qs.order_by("added_at", "id"))


def _notices(lines: list[LineView]) -> tuple[str, ...]:
    notices = []
    for view in lines:
        name = view.product.name
        if view.price_changed:
            direction = "dropped" if view.variant.price < view.price_was else "went up"
            now_text = money_format(view.variant.price, view.variant.currency)
            notices.append(f"The price of {name} {direction} since you added it: it is now {now_text}.")
        if not view.product.is_active:
            notices.append(f"{name} is no longer for sale; remove it to check out.")
        elif view.stock < view.line.quantity:
            left = "is out of stock" if view.stock <= 0 else f"has only {view.stock} left"
            notices.append(f"{name} {left}; lower the quantity to check out.")
    return tuple(notices)


def cart_view(
    *,
    cart: Cart | None,
    user: User | None = None,
    now: datetime | None = None,
    country: str = DEFAULT_COUNTRY,
    shipping_code: str = DEFAULT_METHOD,
) -> CartView:
    """Return the cart with its current prices and stock, priced at `now` (an empty view for no cart)."""
    if cart is None:
        return CartView(cart=None)
    moment = now or clock.now()
    rows = cart_lines(cart)
    if not rows:
        return CartView(cart=cart)
    priced = cart_price(
        lines=[LineInput(line_id=row.pk, variant=row.variant, quantity=row.quantity) for row in rows],
        now=moment,
        user=user,
        coupon_code=cart.coupon_code,
        country=country,
        shipping_code=shipping_code,
    )
    by_id = {q.line_id: q for q in priced.quote.lines}
    deals = priced.deals
    views = [
        LineView(line=row, quote=by_id[row.pk], deal_title=deals[row.variant_id].title if row.variant_id in deals else "")
        for row in rows
    ]
    return CartView(cart=cart, lines=tuple(views), priced=priced, notices=_notices(views))
