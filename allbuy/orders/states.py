"""The order status machine: which change is allowed from which status.

    placed ──paid──▶ paid ──▶ fulfilling ──▶ shipped ──▶ delivered
      │               │            │             │            │
      └─▶ cancelled ◀─┴────────────┘             └────────────┴──▶ refunded (full refund)

A partial refund keeps the status (the goods may still be on their way) and adds to `Order.refunded`;
refunding what is left moves the order to `refunded`. Cancelling gives stock, deal units and the coupon
back, and voids or refunds the payment. Every change is one conditional UPDATE on the current status, so
two concurrent changes cannot both apply.
"""

from __future__ import annotations

from allbuy.orders.models import OrderStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLACED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.FULFILLING, S.CANCELLED, S.REFUNDED}),
    S.FULFILLING: frozenset({S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
# Statuses in which the customer may still cancel the order themselves.
CUSTOMER_CANCELLABLE = frozenset({S.PLACED, S.PAID})
# Shown as progress steps on the order page.
PROGRESS = (S.PLACED, S.PAID, S.FULFILLING, S.SHIPPED, S.DELIVERED)


def transition_allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
