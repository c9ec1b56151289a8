"""Request and response shapes of the cart, checkout and order endpoints.

Inputs refuse fields they do not know (a client sending `price` or `total` learns at once that it is not
taken). Inputs are checked for their *type* here; the rules (quantities, stock, codes, card numbers) are
the services' own, so the API answers with the same error codes as the pages.
Money is a decimal string with two places, never a JSON number (see `allbuy.api.schemas`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, SecretStr, StrictInt

from allbuy.api.schemas import Amount, Currency, amount_text
from allbuy.cart.models import MAX_QUANTITY_PER_LINE
from allbuy.cart.quoting import CouponState, PricedCart
from allbuy.cart.selectors import CartView, LineView
from allbuy.fulfilment.selectors import ShipmentView
from allbuy.orders.models import Order, OrderEvent, OrderLine
from allbuy.orders.states import CUSTOMER_CANCELLABLE
from allbuy.pricing.types import Quote
from allbuy.storefront.stock import LOW_STOCK


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


Quantity = Annotated[
    StrictInt,
    Field(
        description=f"Whole units, 1 to {MAX_QUANTITY_PER_LINE} per line (0 removes the line where allowed).",
        json_schema_extra={"minimum": 0, "maximum": MAX_QUANTITY_PER_LINE},
        examples=[1],
    ),
]


# --- carts: input --------------------------------------------------------------------------------------------------


class CartLineIn(StrictIn):
    variant_id: StrictInt = Field(description="The variant's id (a product's colour/storage choice).")
    quantity: Quantity = 1


class CartLineQuantityIn(StrictIn):
    quantity: Quantity


class CouponIn(StrictIn):
    code: str = Field(max_length=200, examples=["WELCOME10"])


# --- carts: output -------------------------------------------------------------------------------------------------


class DealOut(Schema):
    title: str
    price: Amount = Field(description="The unit price while the deal lasts.")
    units: int = Field(description="How many units of the line get the deal price (within its cap and your own limit).")


StockState = Literal["in_stock", "low_stock", "out_of_stock", "unavailable"]


class StockOut(Schema):
    state: StockState = Field(description="'unavailable': no longer for sale. 'low_stock': a few left.")
    available: int = Field(description="Units in stock now (a cart holds no stock: it is reserved only at checkout).")
    enough: bool = Field(description="Whether this line can be checked out as it is.")


class CartLineOut(Schema):
    id: int
    variant_id: int
    sku: str
    product_name: str
    product_slug: str
    options: str = Field(examples=["Midnight Black / 256 GB"])
    quantity: int
    unit_price: Amount = Field(description="The variant's current regular price.")
    currency: Currency
    deal: DealOut | None = Field(description="The deal this line gets, if any.")
    deal_discount: Amount
    promotion_discount: Amount
    coupon_discount: Amount
    line_total: Amount = Field(description="What the line costs after every discount, VAT included.")
    stock: StockOut
    price_changed: bool = Field(description="The price moved since the line was added.")
    price_was: Amount | None = Field(description="The price when the line was added, when it has changed since.")

    @classmethod
    def from_view(cls, view: LineView, *, priced: PricedCart) -> CartLineOut:
        quote = view.quote
        row = priced.deals.get(view.variant.pk)
        units = {applied.variant_id: applied.units for applied in priced.quote.applied_deals}.get(view.variant.pk, 0)
        deal = DealOut(title=row.title, price=amount_text(row.deal_price), units=units) if row is not None and units else None
        return cls(
            id=view.line.pk,
            variant_id=view.variant.pk,
            sku=view.variant.sku,
            product_name=view.product.name,
            product_slug=view.product.slug,
            options=view.options,
            quantity=view.line.quantity,
            unit_price=amount_text(view.variant.price),
            currency=view.variant.currency,
            deal=deal,
            deal_discount=amount_text(quote.deal_discount.amount),
            promotion_discount=amount_text(quote.promotion_discount.amount),
            coupon_discount=amount_text(quote.coupon_discount.amount),
            line_total=amount_text(quote.total.amount),
            stock=_stock(view),
            price_changed=view.price_changed,
            price_was=amount_text(view.price_was) if view.price_changed else None,
        )


def _stock(view: LineView) -> StockOut:
    state: StockState
    if not view.product.is_active:
        state = "unavailable"
    elif view.stock <= 0:
        state = "out_of_stock"
    elif view.stock <= LOW_STOCK:
        state = "low_stock"
    else:
        state = "in_stock"
    return StockOut(state=state, available=max(0, view.stock), enough=view.available)


class DiscountsOut(Schema):
    deal: Amount
    promotion: Amount
    coupon: Amount
    shipping: Amount = Field(description="Shipping given for free by a promotion, a coupon or the method's threshold.")


class QuoteOut(Schema):
    base_subtotal: Amount = Field(description="The lines at their regular prices.")
    discounts: DiscountsOut
    subtotal: Amount = Field(description="The lines after deals, promotions and the coupon.")
    shipping: Amount
    tax: Amount = Field(description="The VAT included in the total.")
    total: Amount
    currency: Currency
    country: str = Field(description="The destination the quote is for (its VAT rate).", examples=["DE"])
    shipping_method: str = Field(examples=["standard"])

    @classmethod
    def from_quote(cls, quote: Quote, *, shipping_method: str) -> QuoteOut:
        d = quote.discounts
        return cls(
            base_subtotal=amount_text(quote.base_subtotal.amount),
            discounts=DiscountsOut(
                deal=amount_text(d.deal.amount),
                promotion=amount_text(d.promotion.amount),
                coupon=amount_text(d.coupon.amount),
                shipping=amount_text(d.shipping.amount),
            ),
            subtotal=amount_text(quote.subtotal.amount),
            shipping=amount_text(quote.shipping.amount),
            tax=amount_text(quote.tax.amount),
            total=amount_text(quote.total.amount),
            currency=quote.currency,
            country=quote.country,
            shipping_method=shipping_method,
        )


class CouponStateOut(Schema):
    code: str
    applied: bool
    reason: str | None = Field(description="Why the code does not apply, e.g. 'minimum_not_met', 'expired'.")
    message: str = Field(description="The reason as a sentence for the shopper; empty when applied.")

    @classmethod
    def from_state(cls, state: CouponState) -> CouponStateOut:
        return cls(
            code=state.code, applied=state.applied, reason=state.reason.value if state.reason else None, message=state.message
        )


class CartOut(Schema):
    id: uuid.UUID = Field(description="The cart's id; for an anonymous cart, the secret that gives access to it.")
    owner: Literal["anonymous", "account"] = Field(description="'account': only its signed-in owner can reach it.")
    currency: str | None = Field(description="Set by the first line; every line of a cart is in one currency.")
    item_count: int
    lines: list[CartLineOut]
    quote: QuoteOut | None = Field(description="Null for an empty cart.")
    coupon: CouponStateOut | None
    notices: list[str] = Field(description="What changed since the lines were added (prices, stock), as sentences.")
    can_checkout: bool
    updated_at: datetime

    @classmethod
    def from_view(cls, view: CartView) -> CartOut:
        cart = view.cart
        assert cart is not None
        priced = view.priced
        return cls(
            id=cart.pk,
            owner="account" if cart.user_id else "anonymous",
            currency=cart.currency or None,
            item_count=view.item_count,
            lines=[CartLineOut.from_view(line, priced=priced) for line in view.lines] if priced else [],
            quote=QuoteOut.from_quote(priced.quote, shipping_method=priced.shipping_code) if priced else None,
            coupon=CouponStateOut.from_state(view.coupon) if view.coupon else None,
            notices=list(view.notices),
            can_checkout=not view.is_empty and not view.unavailable,
            updated_at=cart.updated_at,
        )


# --- checkout ------------------------------------------------------------------------------------------------------


class CardIn(StrictIn):
    """Card details, used for this one payment only: never stored, logged or sent back."""

    number: Annotated[SecretStr, Field(max_length=40, examples=["4242 4242 4242 4242"])]
    exp_month: StrictInt | Annotated[str, Field(max_length=4)] = Field(examples=[12])
    exp_year: StrictInt | Annotated[str, Field(max_length=4)] = Field(examples=[2030], description="Four digits, or two.")
    cvc: Annotated[SecretStr, Field(max_length=8, examples=["123"])]


class CheckoutIn(StrictIn):
    cart_id: uuid.UUID = Field(description="Your account's cart, or an anonymous cart you hold the id of.")
    address_id: StrictInt = Field(description="An address from your address book; its country sets the VAT.")
    shipping_method: str = Field("standard", max_length=20, examples=["standard", "express"])
    expected_total: str | None = Field(
        None,
        pattern=r"^\d{1,10}(\.\d{1,2})?$",
        examples=["299.00"],
        description="The total you showed the shopper: if the cart now costs anything else, nothing is charged (409).",
    )
    card: CardIn | None = Field(None, description="Needed unless the total is zero.")


# --- orders --------------------------------------------------------------------------------------------------------


class OrderDiscountsOut(Schema):
    deal: Amount
    promotion: Amount
    coupon: Amount


class OrderLineOut(Schema):
    sku: str
    product_name: str
    product_slug: str
    options: str
    quantity: int
    unit_price: Amount
    deal_discount: Amount
    promotion_discount: Amount
    coupon_discount: Amount
    total: Amount
    tax: Amount

    @classmethod
    def from_line(cls, line: OrderLine) -> OrderLineOut:
        return cls(
            sku=line.sku,
            product_name=line.product_name,
            product_slug=line.product_slug,
            options=line.options,
            quantity=line.quantity,
            unit_price=amount_text(line.unit_price),
            deal_discount=amount_text(line.deal_discount),
            promotion_discount=amount_text(line.promotion_discount),
            coupon_discount=amount_text(line.coupon_discount),
            total=amount_text(line.total),
            tax=amount_text(line.tax),
        )


class OrderOut(Schema):
    number: str = Field(examples=["AB7K3MZQ9XHD"])
    status: str = Field(examples=["paid"], description="placed, paid, fulfilling, shipped, delivered, cancelled or refunded.")
    status_label: str
    payment_state: str = Field(examples=["captured"], description="none, unknown, pending, captured, declined or voided.")
    cancel_reason: str
    can_cancel: bool = Field(description="Whether you can still cancel it yourself.")
    placed_at: datetime
    currency: Currency
    base_subtotal: Amount
    discounts: OrderDiscountsOut
    subtotal: Amount
    shipping: Amount
    tax: Amount
    total: Amount
    refunded: Amount
    shipping_method: str
    coupon_code: str
    lines: list[OrderLineOut]

    @classmethod
    def fields_from(cls, order: Order) -> dict[str, object]:
        """Build from an order whose lines are loaded (both order selectors prefetch them)."""
        return {
            "number": order.number,
            "status": order.status,
            "status_label": order.get_status_display(),
            "payment_state": order.payment_state,
            "cancel_reason": order.cancel_reason,
            "can_cancel": order.status in CUSTOMER_CANCELLABLE,
            "placed_at": order.placed_at,
            "currency": order.currency,
            "base_subtotal": amount_text(order.base_subtotal),
            "discounts": OrderDiscountsOut(
                deal=amount_text(order.deal_discount),
                promotion=amount_text(order.promotion_discount),
                coupon=amount_text(order.coupon_discount),
            ),
            "subtotal": amount_text(order.subtotal),
            "shipping": amount_text(order.shipping),
            "tax": amount_text(order.tax),
            "total": amount_text(order.total),
            "refunded": amount_text(order.refunded),
            "shipping_method": order.shipping_method,
            "coupon_code": order.coupon_code,
            "lines": [OrderLineOut.from_line(line) for line in order.lines.all()],
        }

    @classmethod
    def from_order(cls, order: Order) -> OrderOut:
        return cls(**cls.fields_from(order))  # type: ignore[arg-type]


class ShipToOut(Schema):
    recipient_name: str
    line1: str
    line2: str
    city: str
    region: str
    postcode: str
    country: str
    phone: str


class OrderEventOut(Schema):
    from_status: str
    to_status: str
    at: datetime

    @classmethod
    def from_event(cls, event: OrderEvent) -> OrderEventOut:
        return cls(from_status=event.from_status, to_status=event.to_status, at=event.at)


class OrderShipmentEventOut(Schema):
    from_status: str
    to_status: str = Field(examples=["in_transit"])
    status_label: str = Field(examples=["In transit"])
    by: str = Field(description="The business that made the change: 'AllBuy', 'Merchant: …' or 'Carrier: …'.")
    note: str
    at: datetime


class OrderShipmentOut(Schema):
    id: str = Field(description="The shipment's public id (random, not guessable).")
    merchant: str = Field(description="The seller who packs this parcel.")
    carrier: str
    tracking_number: str
    status: str = Field(
        examples=["in_transit"],
        description="ready, packed, handed_over, picked_up, in_transit, failed_attempt, delivered or cancelled.",
    )
    status_label: str
    events: list[OrderShipmentEventOut] = Field(description="Every status change of this parcel, oldest first.")

    @classmethod
    def from_view(cls, view: ShipmentView) -> OrderShipmentOut:
        events = [
            OrderShipmentEventOut(
                from_status=event.from_status,
                to_status=event.to_status,
                status_label=event.label,
                by=event.by,
                note=event.note,
                at=event.at,
            )
            for event in view.events
        ]
        return cls(
            id=view.public_id,
            merchant=view.merchant,
            carrier=view.carrier,
            tracking_number=view.tracking_number,
            status=view.status,
            status_label=view.status_label,
            events=events,
        )


class OrderDetailOut(OrderOut):
    ship_to: ShipToOut = Field(description="Where the order goes, as it was when the order was placed.")
    events: list[OrderEventOut] = Field(description="Every status change, oldest first.")
    shipments: list[OrderShipmentOut] = Field(
        default_factory=list, description="One parcel per seller, once the order is paid: carrier, tracking and status."
    )

    @classmethod
    def from_order_with(
        cls, order: Order, *, ship_to: dict[str, str], shipments: list[ShipmentView] | None = None
    ) -> OrderDetailOut:
        events = [OrderEventOut.from_event(event) for event in order.events.all()]
        return cls(
            **cls.fields_from(order),  # type: ignore[arg-type]
            ship_to=ShipToOut(**ship_to),
            events=events,
            shipments=[OrderShipmentOut.from_view(view) for view in shipments or []],
        )


class OrderListOut(Schema):
    items: list[OrderOut]
    total: int = Field(description="How many orders the account has.")
    limit: int
    offset: int
