"""Fulfilment core: shipments split per merchant, carriers by rule, shipping-data grants, moves, credentials."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from allbuy.core import clock
from allbuy.fulfilment.models import Carrier, CarrierToken, Shipment, ShipmentEvent, ShipmentLine, ShipmentStatus
from allbuy.fulfilment.services import (
    CARRIER_MOVES,
    HOUSE_MERCHANT,
    MERCHANT_MOVES,
    TransitionRefused,
    carrier_actor,
    carrier_token_check,
    carrier_token_create,
    carrier_token_revoke,
    carrier_webhook_secret,
    carrier_webhook_secret_new,
    merchant_actor,
    shipment_move,
    shipment_ship_to,
    shipment_ship_to_state,
    shipments_create,
)
from allbuy.fulfilment.tests.factories import (
    carrier_create,
    merchant_create,
    order_paid_from,
    shipment_of,
    variant_of,
)
from allbuy.orders import emails
from allbuy.orders.models import SHIP_TO_MEMBERS, Order, OrderEvent, OrderStatus
from allbuy.orders.services import order_cancel
from allbuy.orders.tests.factories import NOW
from allbuy.privacy.crypto import decrypt_value
from allbuy.privacy.datamap import Purpose, Recipient
from allbuy.privacy.exceptions import CiphertextTampered, PurposeNotAllowed
from allbuy.privacy.grants import GrantEnded, NoGrant
from allbuy.privacy.models import AccessGrant, AccessLogEntry
from allbuy.privacy.services import Actor, personal_data_read

pytestmark = pytest.mark.django_db

S = ShipmentStatus
CUSTOMER: dict[str, Any] = {
    "email": "ines.reader@example.org",
    "recipient_name": "Ines Reader",
    "line1": "Torstraße 17",
    "city": "Berlin",
    "postcode": "10119",
    "country": "DE",
    "phone": "+49 30 7654321",
}
SHIP_TO_LABELS = [f"orders.Order.{name}" for name in SHIP_TO_MEMBERS]
DELIVERED_AT = NOW + timedelta(days=3)


@pytest.fixture
def x():
    return merchant_create("Mi Store Berlin")


@pytest.fixture
def y():
    return merchant_create("Charge & Co.")


@pytest.fixture
def dhl():
    return carrier_create("dhl", ["DE", "AT"], "4.10", name="DHL Parcel")


@pytest.fixture
def order(x, y, dhl):
    """Ines buys one item from merchant X and one from merchant Y; DHL serves Germany."""
    return order_paid_from(merchants={x: None, y: None}, **CUSTOMER)


def _force(shipment: Shipment, status: str) -> Shipment:
    Shipment.objects.filter(pk=shipment.pk).update(status=status)
    shipment.status = status
    return shipment


def _deliver(shipment: Shipment, *, at=DELIVERED_AT) -> None:
    """Walk the shipment through every step to delivered, as its merchant and then its carrier."""
    merchant, carrier = merchant_actor(shipment.merchant), carrier_actor(shipment.carrier)
    for step, by in (
        (S.PACKED, merchant),
        (S.HANDED_OVER, merchant),
        (S.PICKED_UP, carrier),
        (S.IN_TRANSIT, carrier),
        (S.DELIVERED, carrier),
    ):
        shipment_move(shipment=shipment, to=step, by=by, now=at)


# --- split and carrier ----------------------------------------------------------------------------------------------


def test_an_order_of_several_merchants_is_split_into_one_shipment_per_merchant(x, y, dhl):
    # given an order with items of X, Y and AllBuy's own stock (a product with no merchant)
    x_item, y_item, house_item = variant_of(x), variant_of(y), variant_of(None)

    # when it is paid
    order = order_paid_from(merchants={x: x_item, y: y_item, None: house_item})

    # then each merchant has one shipment holding exactly its own lines
    shipments = {s.merchant.slug: s for s in Shipment.objects.filter(order=order).select_related("merchant")}
    assert set(shipments) == {x.slug, y.slug, HOUSE_MERCHANT}
    for slug, variant in ((x.slug, x_item), (y.slug, y_item), (HOUSE_MERCHANT, house_item)):
        lines = ShipmentLine.objects.filter(shipment=shipments[slug]).select_related("order_line")
        assert [line.order_line.variant_id for line in lines] == [variant.pk]
    for shipment in shipments.values():
        assert shipment.status == S.READY
        assert shipment.created_at == NOW
        assert shipment.carrier == dhl
        assert shipment.tracking_number.startswith("DHL")
        assert [(e.to_status, e.actor) for e in shipment.events.all()] == [(S.READY, "AllBuy")]
    assert len({s.tracking_number for s in shipments.values()}) == 3
    assert len({s.public_id for s in shipments.values()}) == 3


def test_shipments_are_made_once_even_if_the_payment_is_announced_twice(order):
    # given
    before = (Shipment.objects.count(), AccessGrant.objects.count())

    # when the payment signal's work runs again
    again = shipments_create(order=order, now=NOW + timedelta(minutes=5))

    # then nothing new is made
    assert sorted(s.pk for s in again) == sorted(Shipment.objects.filter(order=order).values_list("pk", flat=True))
    assert (Shipment.objects.count(), AccessGrant.objects.count()) == before


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("DE", "dhl"),  # served by all three: the cheapest wins
        ("AT", "dhl"),
        ("FR", "dpd"),  # not DHL's: the cheapest of those serving France
        ("CH", "ups"),  # only the carrier serving everywhere
    ],
)
def test_the_cheapest_carrier_serving_the_destination_is_assigned(x, country, expected):
    # given
    carrier_create("ups", [], "7.50")
    carrier_create("dpd", ["DE", "AT", "FR", "NL"], "4.90")
    carrier_create("dhl", ["DE", "AT"], "4.10")

    # when
    order = order_paid_from(merchants={x: None}, country=country)

    # then
    assert shipment_of(order, x).carrier.code == expected


def test_among_carriers_serving_everywhere_the_cheaper_one_is_assigned(x):
    carrier_create("pricey", [], "9.00")
    carrier_create("cheap", [], "3.00")
    order = order_paid_from(merchants={x: None})
    assert shipment_of(order, x).carrier.code == "cheap"


def test_without_a_carrier_for_the_destination_allbuy_post_ships_it(x):
    # given only a carrier for Austria
    carrier_create("post-at", ["AT"], "3.00")

    # when an order goes to France
    order = order_paid_from(merchants={x: None}, country="FR")

    # then AllBuy's fallback carrier takes it
    assert shipment_of(order, x).carrier.code == "allbuy-post"
    assert Carrier.objects.filter(code="allbuy-post").count() == 1


# --- grants -----------------------------------------------------------------------------------------------------------


def test_payment_grants_the_merchant_and_the_carrier_exactly_the_ship_to_fields_for_shipping(order, x, y, dhl):
    # given
    x_shipment, y_shipment = shipment_of(order, x), shipment_of(order, y)

    # when
    grants = list(AccessGrant.objects.order_by("recipient_kind", "context__shipment"))

    # then two per shipment, one for its merchant and one for its carrier
    expected = {
        (f"merchant:{x.pk}", str(x_shipment.public_id)),
        (f"merchant:{y.pk}", str(y_shipment.public_id)),
        (f"carrier:{dhl.pk}", str(x_shipment.public_id)),
        (f"carrier:{dhl.pk}", str(y_shipment.public_id)),
    }
    assert {(g.recipient_ref, g.context["shipment"]) for g in grants} == expected
    for grant in grants:
        assert grant.fields == SHIP_TO_LABELS  # name, address, phone: not the email, not the billing data
        assert grant.purpose == Purpose.SHIPPING
        assert grant.record == f"orders.Order:{order.pk}"
        assert grant.subject_id == order.subject_id
        assert grant.context["order"] == order.number
        assert grant.valid_from == NOW  # from the payment
        assert (grant.valid_until, grant.revoked_at) == (None, None)  # until delivery sets the end
    labels = {g.recipient_ref: (g.recipient_kind, g.recipient_label) for g in grants}
    assert labels[f"merchant:{x.pk}"] == (Recipient.MERCHANT, "Merchant: Mi Store Berlin")
    assert labels[f"carrier:{dhl.pk}"] == (Recipient.CARRIER, "Carrier: DHL Parcel")


def test_a_grant_is_not_valid_before_the_payment(order, x):
    # when the merchant asks for a moment before the order was paid
    with pytest.raises(GrantEnded) as refused:
        shipment_ship_to(shipment=shipment_of(order, x), actor=merchant_actor(x), now=NOW - timedelta(minutes=1))

    # then
    assert refused.value.status == 410
    assert "Access starts on" in refused.value.message


@pytest.mark.parametrize("who", ["merchant", "carrier"])
def test_the_merchant_and_the_carrier_read_the_ship_to_of_their_shipment_and_the_read_is_logged(
    order, x, dhl, who, monkeypatch, caplog
):
    # given
    caplog.set_level(logging.DEBUG)
    shipment = shipment_of(order, x)
    actor = merchant_actor(x) if who == "merchant" else carrier_actor(dhl)
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(hours=1))

    # when
    values = shipment_ship_to(shipment=shipment, actor=actor)

    # then they get name, address and phone, nothing else
    assert set(values) == set(SHIP_TO_MEMBERS)
    assert (values["recipient_name"], values["line1"], values["city"]) == ("Ines Reader", "Torstraße 17", "Berlin")
    assert (values["postcode"], values["country"], values["phone"]) == ("10119", "DE", "+49307654321")
    assert shipment_ship_to_state(shipment=shipment, actor=actor).valid

    # and the customer's log says who read which fields of which shipment of which order, and when
    entry = AccessLogEntry.objects.filter(subject_id=order.subject_id, actor_ref=actor.ref).get()
    assert (entry.actor_kind, entry.actor_label) == (actor.kind, actor.label)
    assert entry.fields == SHIP_TO_LABELS
    assert entry.purpose == Purpose.SHIPPING
    assert entry.context["order"] == order.number
    assert entry.context["shipment"] == str(shipment.public_id)
    grant = AccessGrant.objects.get(recipient_ref=actor.ref, context__shipment=str(shipment.public_id))
    assert entry.context["grant"] == str(grant.pk)
    assert entry.at == NOW + timedelta(hours=1)

    # and no log line carries the data
    for record in caplog.records:
        text = f"{record.getMessage()} {record.args!r}"
        for secret in ("Ines", "Torstra", "10119", "7654321", "ines.reader"):
            assert secret not in text


def test_merchant_x_cannot_read_the_ship_to_of_merchant_y(order, x, y):
    # given
    logged = AccessLogEntry.objects.count()

    # when X asks for Y's shipment
    with pytest.raises(NoGrant) as refused:
        shipment_ship_to(shipment=shipment_of(order, y), actor=merchant_actor(x))

    # then — X does hold a grant for its own shipment of the same order, and that does not open Y's
    assert refused.value.status == 403
    assert refused.value.code == "not_granted"
    state = shipment_ship_to_state(shipment=shipment_of(order, y), actor=merchant_actor(x))
    assert (state.grant, state.valid) == (None, False)
    assert AccessLogEntry.objects.count() == logged


def test_a_merchant_with_no_shipment_in_the_order_and_another_carrier_have_no_access(order, x, dhl):
    # given
    stranger = merchant_create("Huawei Official Store")
    other_carrier = carrier_create("ups", [], "7.50")
    logged = AccessLogEntry.objects.count()

    # then
    for actor in (merchant_actor(stranger), carrier_actor(other_carrier)):
        state = shipment_ship_to_state(shipment=shipment_of(order, x), actor=actor)
        assert (state.grant, state.valid) == (None, False)
        assert state.reason == "You have no access to this customer data."
        with pytest.raises(NoGrant):
            shipment_ship_to(shipment=shipment_of(order, x), actor=actor)
    assert AccessLogEntry.objects.count() == logged


def test_merchants_and_carriers_cannot_read_without_a_grant_at_all(order, x, dhl):
    # when the privacy app is asked directly, bypassing the grant
    for actor in (merchant_actor(x), carrier_actor(dhl)):
        with pytest.raises(PurposeNotAllowed) as refused:
            personal_data_read(actor=actor, subject=order.subject, instance=order, fields=["line1"], purpose=Purpose.SHIPPING)

        # then
        assert refused.value.code == "not_granted"


def test_a_grant_covers_only_its_fields_not_the_customers_email(order, x):
    # given the customer's account: its email is not among the granted fields
    from allbuy.privacy.grants import granted_read

    # when
    with pytest.raises(NoGrant):
        granted_read(actor=merchant_actor(x), instance=order.user, fields=["contact_email"], purpose=Purpose.SHIPPING)


# --- end of the grants ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["merchant", "carrier"])
def test_delivery_closes_the_grants_fourteen_days_later(order, x, y, dhl, who):
    # given
    shipment = shipment_of(order, x)
    actor = merchant_actor(x) if who == "merchant" else carrier_actor(dhl)

    # when X's shipment is delivered
    _deliver(shipment)

    # then its grants end 14 days after delivery; Y's shipment is still on its way and Y's grant stays open
    closed = AccessGrant.objects.filter(context__shipment=str(shipment.public_id))
    assert {g.valid_until for g in closed} == {DELIVERED_AT + timedelta(days=14)}
    y_grants = AccessGrant.objects.filter(context__shipment=str(shipment_of(order, y).public_id))
    assert {g.valid_until for g in y_grants} == {None}

    # and 13 days later the address is still readable
    assert shipment_ship_to(shipment=shipment, actor=actor, now=DELIVERED_AT + timedelta(days=13))["city"] == "Berlin"

    # but 15 days later it is withheld, with the reason
    later = DELIVERED_AT + timedelta(days=15)
    with pytest.raises(GrantEnded) as ended:
        shipment_ship_to(shipment=shipment, actor=actor, now=later)
    assert (ended.value.status, ended.value.code) == (410, "grant_expired")
    reason = f"Access ended on {DELIVERED_AT + timedelta(days=14):%d %b %Y}, after delivery"
    assert reason in ended.value.message
    assert ended.value.extra["reason"] == ended.value.message
    state = shipment_ship_to_state(shipment=shipment, actor=actor, now=later)
    assert (state.valid, state.reason) == (False, ended.value.message)


def test_the_window_after_delivery_is_a_setting(order, x):
    shipment = shipment_of(order, x)
    with override_settings(ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY=3):
        _deliver(shipment)
    assert {g.valid_until for g in AccessGrant.objects.filter(context__shipment=str(shipment.public_id))} == {
        DELIVERED_AT + timedelta(days=3)
    }


def test_a_cancelled_order_revokes_the_grants_at_once(order, x, y, dhl):
    # given X already started packing
    shipment_move(shipment=shipment_of(order, x), to=S.PACKED, by=merchant_actor(x), now=NOW + timedelta(hours=1))
    cancelled_at = NOW + timedelta(hours=2)

    # when AllBuy cancels the order
    order_cancel(order=order, actor="staff", reason="out of stock", now=cancelled_at)

    # then every grant of the order ends now, with the reason, and both shipments stop
    grants = list(AccessGrant.objects.filter(record=f"orders.Order:{order.pk}"))
    assert len(grants) == 4
    assert {(g.revoked_at, g.revoke_reason) for g in grants} == {(cancelled_at, "the order was cancelled")}
    assert set(Shipment.objects.filter(order=order).values_list("status", flat=True)) == {S.CANCELLED}
    for shipment, actor in ((shipment_of(order, x), merchant_actor(x)), (shipment_of(order, y), carrier_actor(dhl))):
        with pytest.raises(GrantEnded) as ended:
            shipment_ship_to(shipment=shipment, actor=actor, now=cancelled_at + timedelta(seconds=1))
        assert "the order was cancelled" in ended.value.message
        assert ended.value.code == "grant_expired"

    # and nobody moves a cancelled shipment on
    with pytest.raises(TransitionRefused):
        shipment_move(shipment=shipment_of(order, x), to=S.HANDED_OVER, by=merchant_actor(x), now=cancelled_at)


# --- moves ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["merchant", "carrier"])
@pytest.mark.parametrize("from_status", S.values)
def test_every_move_from_every_status_is_allowed_exactly_as_the_table_says(order, x, dhl, who, from_status):
    # given
    shipment = shipment_of(order, x)
    actor, table = (merchant_actor(x), MERCHANT_MOVES) if who == "merchant" else (carrier_actor(dhl), CARRIER_MOVES)
    allowed = table.get(from_status, frozenset())

    for to_status in S.values:
        _force(shipment, from_status)
        events = ShipmentEvent.objects.filter(shipment=shipment).count()

        # when
        if to_status in allowed:
            moved = shipment_move(shipment=shipment, to=to_status, by=actor, now=NOW + timedelta(hours=1))

            # then
            assert moved.status == to_status
            assert Shipment.objects.get(pk=shipment.pk).status == to_status
            event = ShipmentEvent.objects.filter(shipment=shipment).latest("id")
            assert (event.from_status, event.to_status, event.actor) == (from_status, to_status, actor.label)
        else:
            with pytest.raises(TransitionRefused) as refused:
                shipment_move(shipment=shipment, to=to_status, by=actor, now=NOW + timedelta(hours=1))

            # then
            assert (refused.value.status, refused.value.code) == (409, "status_transition_invalid"), to_status
            assert refused.value.extra == {"status": from_status}
            assert Shipment.objects.get(pk=shipment.pk).status == from_status
            assert ShipmentEvent.objects.filter(shipment=shipment).count() == events


def test_the_tables_let_merchants_pack_and_hand_over_and_carriers_do_the_rest():
    assert dict(MERCHANT_MOVES) == {S.READY: {S.PACKED}, S.PACKED: {S.HANDED_OVER}}
    assert dict(CARRIER_MOVES) == {
        S.HANDED_OVER: {S.PICKED_UP},
        S.PICKED_UP: {S.IN_TRANSIT},
        S.IN_TRANSIT: {S.FAILED_ATTEMPT, S.DELIVERED},
        S.FAILED_ATTEMPT: {S.IN_TRANSIT, S.DELIVERED},
    }


def test_an_unknown_status_is_refused_by_name(order, x):
    with pytest.raises(TransitionRefused) as refused:
        shipment_move(shipment=shipment_of(order, x), to="lost", by=merchant_actor(x))
    assert refused.value.message == "Unknown status 'lost'."
    assert refused.value.status == 409


def test_a_backwards_move_is_refused_with_the_statuses_named(order, x):
    shipment = _force(shipment_of(order, x), S.HANDED_OVER)
    with pytest.raises(TransitionRefused) as refused:
        shipment_move(shipment=shipment, to=S.PACKED, by=merchant_actor(x))
    assert refused.value.message == "A shipment that is handed to the carrier cannot become packed this way."


@pytest.mark.parametrize("intruder", ["other merchant", "other carrier", "allbuy"])
def test_someone_elses_shipment_cannot_be_moved(order, x, y, intruder):
    # given X's shipment, ready to pack, and handed over for the carriers' case
    shipment = shipment_of(order, x)
    actor, to, start = {
        "other merchant": (merchant_actor(y), S.PACKED, S.READY),
        "other carrier": (carrier_actor(carrier_create("ups", [], "7.50")), S.PICKED_UP, S.HANDED_OVER),
        "allbuy": (Actor.system("support"), S.PACKED, S.READY),
    }[intruder]
    _force(shipment, start)

    # when
    with pytest.raises(TransitionRefused) as refused:
        shipment_move(shipment=shipment, to=to, by=actor)

    # then
    assert (refused.value.status, refused.value.code) == (403, "forbidden")
    assert Shipment.objects.get(pk=shipment.pk).status == start
    assert ShipmentEvent.objects.filter(shipment=shipment).count() == 1


def test_the_order_follows_its_shipments_and_the_customer_is_mailed(
    order, x, y, dhl, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    xs, ys = shipment_of(order, x), shipment_of(order, y)
    mx, my, carrier = merchant_actor(x), merchant_actor(y), carrier_actor(dhl)
    mailoutbox.clear()

    def step(shipment: Shipment, to: str, by: Actor) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            shipment_move(shipment=shipment, to=to, by=by, now=NOW + timedelta(hours=1))
        return Order.objects.get(pk=order.pk).status

    # when X starts packing, the order is being packed
    assert step(xs, S.PACKED, mx) == OrderStatus.FULFILLING
    # and stays so while only X handed over
    assert step(xs, S.HANDED_OVER, mx) == OrderStatus.FULFILLING
    assert step(ys, S.PACKED, my) == OrderStatus.FULFILLING
    # once both are with the carrier, it is shipped
    assert step(ys, S.HANDED_OVER, my) == OrderStatus.SHIPPED
    for to in (S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED):
        assert step(xs, to, carrier) == OrderStatus.SHIPPED
    # Y's parcel needs a second attempt; delivered, the whole order is delivered
    for to in (S.PICKED_UP, S.IN_TRANSIT, S.FAILED_ATTEMPT, S.IN_TRANSIT):
        assert step(ys, to, carrier) == OrderStatus.SHIPPED
    assert step(ys, S.DELIVERED, carrier) == OrderStatus.DELIVERED

    # then the history shows each step once, by fulfilment, and the customer got one mail for each
    events = list(OrderEvent.objects.filter(order=order).order_by("id").values_list("to_status", "actor"))
    assert events[-3:] == [
        (OrderStatus.FULFILLING, "fulfilment"),
        (OrderStatus.SHIPPED, "fulfilment"),
        (OrderStatus.DELIVERED, "fulfilment"),
    ]
    assert [mail.subject.split("] ", 1)[-1] for mail in mailoutbox] == [
        emails.SUBJECTS[kind].format(number=order.number) for kind in ("fulfilling", "shipped", "delivered")
    ]
    assert all(mail.to == ["ines.reader@example.org"] for mail in mailoutbox)
    assert Shipment.objects.get(pk=ys.pk).delivered_at == NOW + timedelta(hours=1)


# --- carrier credentials ----------------------------------------------------------------------------------------------


def test_a_carrier_token_is_shown_once_and_only_its_hash_is_kept(dhl):
    # when
    token = carrier_token_create(carrier=dhl, scopes=["shipments:read", "shipments:write"], label="label printer", now=NOW)

    # then
    row = CarrierToken.objects.get()
    prefix, _, rest = token.removeprefix("abct_").partition("_")
    assert token.startswith("abct_")
    assert (row.prefix, len(rest) >= 40) == (prefix, True)
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert (row.scopes, row.label, row.created_at, row.revoked_at) == (
        ["shipments:read", "shipments:write"],
        "label printer",
        NOW,
        None,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM fulfilment_carriertoken")
        stored = " ".join(str(value) for value in cursor.fetchone())
    assert rest not in stored

    # and presenting it finds the carrier
    checked = carrier_token_check(token)
    assert checked is not None
    assert (checked.pk, checked.carrier) == (row.pk, dhl)


def test_a_revoked_token_is_refused_and_revoking_twice_keeps_the_first_moment(dhl):
    # given
    token = carrier_token_create(carrier=dhl, scopes=["shipments:read"])
    row = CarrierToken.objects.get()

    # when
    carrier_token_revoke(token=row, now=NOW)
    carrier_token_revoke(token=row, now=NOW + timedelta(days=1))

    # then
    assert carrier_token_check(token) is None
    assert CarrierToken.objects.get().revoked_at == NOW


def test_tokens_of_two_carriers_are_told_apart(dhl):
    ups = carrier_create("ups", [], "7.50")
    dhl_token, ups_token = carrier_token_create(carrier=dhl, scopes=[]), carrier_token_create(carrier=ups, scopes=[])
    checked = carrier_token_check(dhl_token), carrier_token_check(ups_token)
    assert [row.carrier.code if row else None for row in checked] == ["dhl", "ups"]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: "",
        lambda t: "abct",
        lambda t: t + "x",  # the right prefix, the wrong secret
        lambda t: t[:-1],
        lambda t: t.replace("abct_", "abcx_"),
        lambda t: t.replace("abct_", "ABCT_"),
        lambda t: "abct_" + t.split("_")[1][:7] + "_" + t.split("_", 2)[2],  # a short prefix
        lambda t: "abct_00000000_" + t.split("_", 2)[2],  # an unknown prefix
        lambda t: t + "_extra",
        lambda t: f"Bearer {t}",
        lambda t: "abct__",
        lambda t: "abct_" + "é" * 8 + "_x",
    ],
)
def test_malformed_or_wrong_tokens_are_refused(dhl, mangle):
    # given a live token
    token = carrier_token_create(carrier=dhl, scopes=["shipments:read"])
    assert carrier_token_check(token) is not None

    # when / then
    assert carrier_token_check(mangle(token)) is None


def test_the_webhook_secret_is_stored_encrypted_and_decrypts_to_what_was_shown(dhl):
    # when
    secret = carrier_webhook_secret_new(carrier=dhl)

    # then the database holds a ciphertext, not the secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_secret FROM fulfilment_carrier WHERE id = %s", [dhl.pk])
        raw = cursor.fetchone()[0]
    assert len(secret) >= 40
    assert raw.startswith("ab1:")
    assert secret not in raw
    assert carrier_webhook_secret(Carrier.objects.get(pk=dhl.pk)) == secret

    # and a new one replaces it
    renewed = carrier_webhook_secret_new(carrier=dhl)
    assert renewed != secret
    assert carrier_webhook_secret(Carrier.objects.get(pk=dhl.pk)) == renewed


def test_a_carrier_without_a_webhook_secret_has_none(dhl):
    assert carrier_webhook_secret(dhl) == ""


def test_a_webhook_secret_moved_to_another_field_does_not_decrypt(dhl):
    # given a ciphertext copied where it does not belong (bound to its field)
    carrier_webhook_secret_new(carrier=dhl)
    raw = Carrier.objects.get(pk=dhl.pk).webhook_secret

    # then
    with pytest.raises(CiphertextTampered):
        decrypt_value(raw, field="fulfilment.Carrier.name")
