"""Order emails: one per payment outcome and status change, to the customer's real address, read and logged as the mailer."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from allbuy.accounts.models import PSEUDONYM_DOMAIN
from allbuy.accounts.tests.factories import address_add, customer_create
from allbuy.cart.services import cart_for_user, cart_line_add
from allbuy.catalog.tests.factories import ProductFactory, VariantFactory
from allbuy.orders import emails
from allbuy.orders.models import Order, OrderStatus
from allbuy.orders.services import order_cancel, order_refund, order_status_set, payment_webhook_apply
from allbuy.orders.tests.factories import CARD_DECLINED, CARD_OK, CARD_PENDING, NOW, Shopper
from allbuy.orders.tests.test_lifecycle import LATER, place
from allbuy.payments.gateway import gateway_get
from allbuy.privacy.datamap import Purpose, Recipient
from allbuy.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db

S = OrderStatus
EMAIL = "ines.reader@example.org"
NAME = "Ines Reader"
STREET = "Torstraße 17"
PREFIX = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX


@pytest.fixture
def shopper() -> Shopper:
    """Ines, with a name, an address and a cart of two products (2 × 40.00 and 1 × 25.00)."""
    user = customer_create(EMAIL, full_name=NAME, phone="+4930123456")
    address = address_add(user, recipient_name=NAME, line1=STREET, city="Berlin", postcode="10119")
    cart = cart_for_user(user=user, now=NOW)
    band = VariantFactory.create(price=Decimal("40.00"), product=ProductFactory.create(name="Mi Band 9"))
    charger = VariantFactory.create(price=Decimal("25.00"), product=ProductFactory.create(name="Redmi 67W Charger"))
    cart_line_add(cart=cart, variant_id=band.pk, quantity=2, now=NOW)
    cart_line_add(cart=cart, variant_id=charger.pk, quantity=1, now=NOW)
    return Shopper(user=user, address=address, cart=cart)


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def mails(mailoutbox, django_capture_on_commit_callbacks):
    """Run what the change does after it commits (the mail), and return the mails sent meanwhile."""

    class Capture:
        def __init__(self) -> None:
            self.sent: list = []

        def __enter__(self) -> Capture:
            self._before = len(mailoutbox)
            self._commit = django_capture_on_commit_callbacks(execute=True)
            self._commit.__enter__()
            return self

        def __exit__(self, *exc: object) -> None:
            self._commit.__exit__(*exc)
            self.sent = mailoutbox[self._before :]

    return Capture


def _order_url(order: Order) -> str:
    site = getattr(settings, "ALLBUY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return site + reverse("orders:detail", args=[order.number])


def _assert_private(logs) -> None:
    """No log record names the customer: not the address, the name, nor the street."""
    assert logs.records, "nothing was logged: the check below would prove nothing"
    for record in logs.records:
        text = f"{record.getMessage()} {record.args!r}"
        for secret in (EMAIL, NAME, STREET, "Torstra"):
            assert secret not in text, f"{record.name} logged personal data: {text}"


def _assert_mail_to_the_customer(mail, order: Order, *, subject: str) -> None:
    assert mail.to == [EMAIL]
    assert PSEUDONYM_DOMAIN not in mail.to[0]  # the real address, not the sign-in key
    assert mail.subject == PREFIX + subject.format(number=order.number)
    assert mail.from_email == settings.DEFAULT_FROM_EMAIL
    body = mail.body
    assert f"Order {order.number}" in body
    assert "2 × Mi Band 9" in body
    assert "€80.00" in body  # its line total
    assert "1 × Redmi 67W Charger" in body
    assert "€25.00" in body
    assert f"Total     €{order.total:,.2f}" in body
    assert f"(incl. €{order.tax:,.2f} VAT)" in body
    assert f"See your order: {_order_url(order)}" in body
    for secret in (NAME, STREET):
        assert secret not in body


def _assert_mailer_read_logged(order: Order, kind: str) -> None:
    entry = AccessLogEntry.objects.filter(subject_id=order.subject_id, context__mail=f"order_{kind}").get()
    assert entry.actor_kind == Recipient.EMAIL_PROCESSOR
    assert entry.actor_ref == "mailer"
    assert entry.fields == ["accounts.User.contact_email"]
    assert entry.purpose == Purpose.SERVICE
    assert entry.context == {"mail": f"order_{kind}", "order": order.number}


# --- at checkout ----------------------------------------------------------------------------------------------------


def test_a_paid_order_is_confirmed_by_mail(shopper, mails, logs):
    # when
    with mails() as capture:
        order = place(shopper)

    # then
    assert order.status == S.PAID
    assert len(capture.sent) == 1
    mail = capture.sent[0]
    _assert_mail_to_the_customer(mail, order, subject=emails.SUBJECTS["paid"])
    assert "We have received your payment" in mail.body
    assert "Refunded" not in mail.body
    _assert_mailer_read_logged(order, "paid")
    _assert_private(logs)


def test_a_pending_payment_is_announced_by_mail(shopper, mails, logs):
    with mails() as capture:
        order = place(shopper, number=CARD_PENDING)

    assert [mail.subject for mail in capture.sent] == [
        PREFIX + f"Order {order.number}: waiting for your bank to confirm the payment"
    ]
    _assert_mail_to_the_customer(capture.sent[0], order, subject=emails.SUBJECTS["pending"])
    assert "Your bank has not confirmed the payment yet" in capture.sent[0].body
    _assert_mailer_read_logged(order, "pending")
    _assert_private(logs)


def test_a_card_declined_at_checkout_sends_no_mail(shopper, mails):
    # the shopper is still on the checkout page, which says so, and tries another card
    with mails() as capture:
        order = place(shopper, number=CARD_DECLINED)
    assert order.status == S.CANCELLED
    assert capture.sent == []
    assert not AccessLogEntry.objects.exclude(actor_ref="job:carrier assignment").exists()


@pytest.mark.parametrize("succeed", [True, False], ids=["confirmed", "declined"])
def test_the_bank_answer_on_a_pending_payment_is_mailed(shopper, mails, logs, succeed):
    # given
    order = place(shopper, number=CARD_PENDING)
    body, headers = gateway_get().webhook_build(  # type: ignore[attr-defined]
        gateway_ref=order.payments.get().gateway_ref, succeed=succeed, now=NOW
    )

    # when
    with mails() as capture:
        payment_webhook_apply(body=body, headers=headers, now=NOW)

    # then
    order.refresh_from_db()
    kind = "paid" if succeed else "cancelled"
    assert len(capture.sent) == 1
    _assert_mail_to_the_customer(capture.sent[0], order, subject=emails.SUBJECTS[kind])
    if not succeed:
        assert "Your order was cancelled because the payment was declined." in capture.sent[0].body
        assert "refunded" not in capture.sent[0].body
    _assert_mailer_read_logged(order, kind)
    _assert_private(logs)


# --- after the sale -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "words"),
    [
        (S.FULFILLING, "Your order is being packed."),
        (S.SHIPPED, "Your order is on its way."),
        (S.DELIVERED, "Your order was delivered."),
    ],
)
def test_every_fulfilment_step_is_mailed(shopper, mails, logs, step, words):
    # given an order one step before
    order = place(shopper)
    for earlier in (S.FULFILLING, S.SHIPPED, S.DELIVERED)[: (S.FULFILLING, S.SHIPPED, S.DELIVERED).index(step)]:
        order_status_set(order=order, to_status=earlier, actor="staff", now=LATER)

    # when
    with mails() as capture:
        order_status_set(order=order, to_status=step, actor="staff", now=LATER)

    # then
    assert len(capture.sent) == 1
    _assert_mail_to_the_customer(capture.sent[0], order, subject=emails.SUBJECTS[step])
    assert words in capture.sent[0].body
    _assert_mailer_read_logged(order, step)
    _assert_private(logs)


def test_a_refused_step_sends_nothing(shopper, mails):
    order = place(shopper)
    with mails() as capture, pytest.raises(Exception, match="cannot become shipped"):
        order_status_set(order=order, to_status=S.SHIPPED, actor="staff", now=LATER)
    assert capture.sent == []


def test_a_cancelled_paid_order_is_mailed_with_the_refund(shopper, mails, logs):
    order = place(shopper)

    with mails() as capture:
        order = order_cancel(order=order, actor="staff", reason="out of stock", now=LATER)

    assert len(capture.sent) == 1
    mail = capture.sent[0]
    _assert_mail_to_the_customer(mail, order, subject=emails.SUBJECTS["cancelled"])
    assert (
        f"Your order was cancelled. Anything it held is released and €{order.total:,.2f} is refunded to your card." in mail.body
    )
    _assert_mailer_read_logged(order, "cancelled")
    _assert_private(logs)


def test_a_cancelled_pending_order_is_mailed_without_a_refund(shopper, mails):
    order = place(shopper, number=CARD_PENDING)
    with mails() as capture:
        order = order_cancel(order=order, actor="customer", by_customer=True, now=LATER)
    assert len(capture.sent) == 1
    assert "Your order was cancelled. Anything it held is released." in capture.sent[0].body
    assert "refunded" not in capture.sent[0].body


def test_a_partial_refund_then_the_rest_are_mailed(shopper, mails, logs):
    # given
    order = place(shopper)

    # when part is refunded
    with mails() as partial:
        order_refund(order=order, amount=Decimal("25.00"), actor="staff", reason="charger returned", now=LATER)

    # then
    assert len(partial.sent) == 1
    _assert_mail_to_the_customer(partial.sent[0], order, subject=emails.SUBJECTS["partial_refund"])
    assert "Part of your order was refunded: €25.00 in total so far goes back to your card." in partial.sent[0].body
    assert "  Refunded  €25.00\n" in partial.sent[0].body
    _assert_mailer_read_logged(order, "partial_refund")

    # when the rest is refunded
    rest = order.total - Decimal("25.00")
    with mails() as full:
        order = order_refund(order=order, amount=rest, actor="staff", now=LATER + timedelta(days=1))

    # then
    assert order.status == S.REFUNDED
    assert len(full.sent) == 1
    _assert_mail_to_the_customer(full.sent[0], order, subject=emails.SUBJECTS["refunded"])
    assert f"Your order was refunded in full: €{order.total:,.2f} goes back to your card." in full.sent[0].body
    _assert_mailer_read_logged(order, "refunded")
    _assert_private(logs)


def test_every_kind_of_mail_has_a_subject_and_unknown_kinds_send_nothing(shopper, mailoutbox):
    assert set(emails.SUBJECTS) == {
        "paid",
        "pending",
        "fulfilling",
        "shipped",
        "delivered",
        "cancelled",
        "refunded",
        "partial_refund",
    }
    order = place(shopper, number=CARD_OK)
    emails.order_email_send(order_id=order.pk, kind="marketing")
    emails.order_email_send(order_id=0, kind="paid")
    assert mailoutbox == []
    assert not AccessLogEntry.objects.exclude(actor_ref="job:carrier assignment").exists()
