"""What other apps may react to, inside the transaction that made the change (so they commit or fail with it)."""

from django.dispatch import Signal

# Sent with `order` and `now` when an order becomes paid, and when it is cancelled.
order_paid = Signal()
order_cancelled = Signal()
