"""Order emails: on payment, on every status change, on cancellation and refunds.

The address is read through the privacy app as the email processor, for the service purpose, and the
read is logged like any other. Logs name the order number and the kind of mail, never the address.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from allbuy.accounts.adapters import MAILER
from allbuy.orders.models import Order
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.services import personal_data_read

logger = logging.getLogger(__name__)

SUBJECTS = {
    "paid": "Thank you! Order {number} is confirmed",
    "pending": "Order {number}: waiting for your bank to confirm the payment",
    "fulfilling": "Order {number} is being packed",
    "shipped": "Order {number} is on its way",
    "delivered": "Order {number} was delivered",
    "cancelled": "Order {number} was cancelled",
    "refunded": "Order {number} was refunded",
    "partial_refund": "Part of order {number} was refunded",
}


def order_email_send(*, order_id: int, kind: str) -> None:
    """Send the customer the mail of `kind` about the order (called after the change commits)."""
    order = Order.objects.select_related("user__subject").filter(pk=order_id).first()
    if order is None or kind not in SUBJECTS:
        return
    address = personal_data_read(
        actor=MAILER,
        subject=order.user.subject,
        instance=order.user,
        fields=["contact_email"],
        purpose=Purpose.SERVICE,
        context={"mail": f"order_{kind}", "order": order.number},
    )["contact_email"]
    if not address:
        logger.info("order mail %s for %s not sent: no contact address", kind, order.number)
        return
    site = getattr(settings, "ALLBUY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    context = {
        "order": order,
        "kind": kind,
        "lines": list(order.lines.all()),
        "url": site + reverse("orders:detail", args=[order.number]),
    }
    body = render_to_string("orders/email/order.txt", context)
    send_mail(
        settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + SUBJECTS[kind].format(number=order.number),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [address],
    )
    logger.info("order mail %s sent for %s", kind, order.number)
