"""The carrier API: token-authenticated shipments and label data, status updates, and signed webhooks.

Setting: merchant X sells to two customers; carrier P (cheapest, Germany only) carries the German order, carrier
Q (everywhere) the French one. Both carriers hold read+write tokens and a webhook secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from allbuy.api.tests.assertions import error_of
from allbuy.fulfilment.models import (
    Carrier,
    CarrierToken,
    CarrierWebhookReceipt,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
)
from allbuy.fulfilment.services import (
    carrier_token_create,
    carrier_token_revoke,
    carrier_webhook_secret_new,
    merchant_actor,
    shipment_move,
)
from allbuy.fulfilment.tests.factories import carrier_create, merchant_create, order_paid_from, shipment_of, variant_of
from allbuy.fulfilment.webhooks import MAX_BODY_BYTES, webhook_signature_header
from allbuy.orders.models import Order
from allbuy.orders.tests.factories import NOW
from allbuy.privacy.datamap import Purpose, Recipient
from allbuy.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db

S = ShipmentStatus
READ_WRITE = ["shipments:read", "shipments:write"]
CUSTOMER: dict[str, Any] = {
    "email": "carla.customer@example.org",
    "recipient_name": "Carla Customer",
    "line1": "Invalidenstraße 44",
    "city": "Berlin",
    "postcode": "10115",
    "country": "DE",
    "phone": "+49305550199",
}
PERSONAL = [CUSTOMER[key] for key in ("email", "recipient_name", "line1", "phone")]


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at

    def move(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> Any:
    moment = Clock()
    monkeypatch.setattr("allbuy.core.clock.now", moment)
    return moment


def _client(token: str) -> Client:
    return Client(headers={"authorization": f"Bearer {token}"})


@dataclass
class Party:
    carrier: Carrier
    token: str
    secret: str

    @property
    def api(self) -> Client:
        return _client(self.token)


@dataclass
class World:
    p: Party
    q: Party
    order: Order  # Carla's, in Germany: carried by P
    mine: Shipment  # P's
    theirs: Shipment  # Q's (another customer, in France)


def _party(code: str, countries: list[str], price: str) -> Party:
    carrier = carrier_create(code, countries, price, name=f"{code.upper()} Parcel")
    return Party(
        carrier=carrier,
        token=carrier_token_create(carrier=carrier, scopes=READ_WRITE),
        secret=carrier_webhook_secret_new(carrier=carrier),
    )


def _hand_over(shipment: Shipment) -> None:
    for step in (S.PACKED, S.HANDED_OVER):
        shipment_move(shipment=shipment, to=step, by=merchant_actor(shipment.merchant))


@pytest.fixture
def world() -> World:
    p = _party("p", ["DE"], "3.90")
    q = _party("q", [], "5.90")
    x = merchant_create("X Gadgets")
    order = order_paid_from(merchants={x: variant_of(x)}, quantity=2, **CUSTOMER)
    other = order_paid_from(merchants={x: variant_of(x)}, country="FR", recipient_name="Fabien Autre", line1="1 rue de Rivoli")
    mine, theirs = shipment_of(order, x), shipment_of(other, x)
    assert (mine.carrier, theirs.carrier) == (p.carrier, q.carrier)
    _hand_over(mine)
    _hand_over(theirs)
    return World(p=p, q=q, order=order, mine=mine, theirs=theirs)


def _state(shipment: Shipment) -> tuple[str, int]:
    """What a refusal must leave alone: the status and the history."""
    shipment.refresh_from_db()
    return shipment.status, ShipmentEvent.objects.filter(shipment=shipment).count()


def _label_path(shipment: Shipment | str) -> str:
    public_id = shipment.public_id if isinstance(shipment, Shipment) else shipment
    return f"/api/carrier/shipments/{public_id}"


def _post_status(party: Party, shipment: Shipment | str, status: str, **more: Any) -> Any:
    path = _label_path(shipment) + "/status"
    return party.api.post(path, {"status": status, **more}, content_type="application/json")


def _ship_to_logs() -> int:
    return AccessLogEntry.objects.filter(actor_kind=Recipient.CARRIER).count()


# --- authentication ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "abct_12345678_x", "Bearer abct_nope", "Bearer abct_12345678_unknown"],
)
def test_without_a_valid_token_every_endpoint_is_a_401(world, authorization):
    # given
    headers = {"authorization": authorization} if authorization is not None else {}
    client = Client(headers=headers)
    before = _state(world.mine)

    # when
    answers = [
        client.get("/api/carrier/shipments"),
        client.get(_label_path(world.mine)),
        client.post(_label_path(world.mine) + "/status", {"status": "picked_up"}, content_type="application/json"),
    ]

    # then
    for response in answers:
        assert error_of(response, 401)["code"] == "invalid_token"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert _state(world.mine) == before
    assert _ship_to_logs() == 0


def test_a_session_is_no_substitute_for_a_token(world, client):
    # given: a signed-in AllBuy customer (the order's own buyer)
    client.force_login(world.order.user, backend="django.contrib.auth.backends.ModelBackend")

    # when / then
    assert error_of(client.get(_label_path(world.mine)), 401)["code"] == "invalid_token"


def test_a_token_revoked_mid_session_stops_working_at_once(world):
    # given: a token that works
    api = world.p.api
    assert api.get("/api/carrier/shipments").status_code == 200

    # when
    carrier_token_revoke(token=CarrierToken.objects.get(carrier=world.p.carrier))

    # then
    assert error_of(api.get("/api/carrier/shipments"), 401)["code"] == "invalid_token"
    assert error_of(api.get(_label_path(world.mine)), 401)["code"] == "invalid_token"
    before = _state(world.mine)
    assert error_of(_post_status(world.p, world.mine, "picked_up"), 401)["code"] == "invalid_token"
    assert _state(world.mine) == before


def test_a_read_only_token_cannot_post_status(world):
    # given
    reader = _client(carrier_token_create(carrier=world.p.carrier, scopes=["shipments:read"]))
    before = _state(world.mine)

    # when
    response = reader.post(_label_path(world.mine) + "/status", {"status": "picked_up"}, content_type="application/json")

    # then
    body = error_of(response, 403)
    assert (body["code"], body["extra"]) == ("insufficient_scope", {"scope": "shipments:write"})
    assert _state(world.mine) == before
    assert reader.get(_label_path(world.mine)).status_code == 200


def test_a_write_only_token_cannot_read_labels_or_lists(world):
    writer = _client(carrier_token_create(carrier=world.p.carrier, scopes=["shipments:write"]))

    assert error_of(writer.get(_label_path(world.mine)), 403)["code"] == "insufficient_scope"
    assert error_of(writer.get("/api/carrier/shipments"), 403)["code"] == "insufficient_scope"
    assert _ship_to_logs() == 0


# --- the list ------------------------------------------------------------------------------------------------------------


def test_the_list_shows_only_my_shipments_without_personal_data(world):
    # when
    response = world.p.api.get("/api/carrier/shipments")

    # then
    assert response.status_code == 200
    body = response.json()
    assert [item["public_id"] for item in body["items"]] == [str(world.mine.public_id)]
    assert body["items"][0] | {"updated_at": None} == {
        "public_id": str(world.mine.public_id),
        "tracking_number": world.mine.tracking_number,
        "status": "handed_over",
        "merchant": "X Gadgets",
        "items": 2,
        "updated_at": None,
    }
    assert (body["total"], body["limit"], body["offset"]) == (1, 50, 0)
    assert str(world.theirs.public_id) not in response.content.decode()
    assert not [value for value in PERSONAL if value in response.content.decode()]
    assert _ship_to_logs() == 0  # listing reads no personal data at all


def test_the_list_filters_by_status_and_leaves_out_cancelled_shipments(world):
    # given: three more shipments of P's: one cancelled, one still at the merchant
    x2 = merchant_create("Y Gadgets")
    ready = shipment_of(order_paid_from(merchants={x2: None}), x2)
    cancelled = shipment_of(order_paid_from(merchants={x2: None}), x2)
    Shipment.objects.filter(pk=cancelled.pk).update(status=S.CANCELLED)

    # when
    everything = world.p.api.get("/api/carrier/shipments").json()
    handed_over = world.p.api.get("/api/carrier/shipments", {"status": "handed_over"}).json()

    # then
    assert [item["public_id"] for item in everything["items"]] == [str(world.mine.public_id), str(ready.public_id)]
    assert [item["public_id"] for item in handed_over["items"]] == [str(world.mine.public_id)]
    assert handed_over["total"] == 1


def test_the_list_pages_by_limit_and_offset(world):
    y = merchant_create("Y Gadgets")
    second = shipment_of(order_paid_from(merchants={y: None}), y)

    body = world.p.api.get("/api/carrier/shipments", {"limit": 1, "offset": 1}).json()

    assert [item["public_id"] for item in body["items"]] == [str(second.public_id)]
    assert (body["total"], body["limit"], body["offset"]) == (2, 1, 1)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"limit": 0}, "invalid_input"),
        ({"limit": 101}, "invalid_input"),
        ({"offset": -1}, "invalid_input"),
        ({"offset": 10**9}, "invalid_input"),
        ({"status": "cancelled"}, "invalid_input"),
        ({"status": "lost"}, "invalid_input"),
        ({"page": 2}, "unknown_parameter"),
    ],
)
def test_list_parameters_out_of_bounds_are_a_400(world, query, code):
    assert error_of(world.p.api.get("/api/carrier/shipments", query), 400)["code"] == code


def test_the_list_costs_the_same_queries_for_one_shipment_or_four(world, django_assert_num_queries):
    # given: the cost with one shipment
    api = world.p.api
    with django_assert_num_queries(3) as one:  # the token, the page, the count
        assert len(api.get("/api/carrier/shipments").json()["items"]) == 1
    y = merchant_create("Y Gadgets")
    order_paid_from(merchants={y: None, world.mine.merchant: None})  # two more shipments, of two merchants
    order_paid_from(merchants={y: None})

    # when / then
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(api.get("/api/carrier/shipments").json()["items"]) == 4


# --- the label -----------------------------------------------------------------------------------------------------------


def test_the_label_shows_the_ship_to_address_and_the_read_is_logged(world):
    # when
    response = world.p.api.get(_label_path(world.mine))

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["ship_to"] == {
        "recipient_name": "Carla Customer",
        "line1": "Invalidenstraße 44",
        "line2": "",
        "city": "Berlin",
        "region": "",
        "postcode": "10115",
        "country": "DE",
        "phone": "+49305550199",
    }
    assert (body["tracking_number"], body["status"], body["merchant"], body["items"]) == (
        world.mine.tracking_number, "handed_over", "X Gadgets", 2,
    )  # fmt: skip
    assert CUSTOMER["email"] not in response.content.decode()
    entry = AccessLogEntry.objects.get(actor_kind=Recipient.CARRIER)
    assert entry.actor_label == "Carrier: P Parcel"
    assert entry.subject_id == world.order.subject_id
    assert entry.context["shipment"] == str(world.mine.public_id)
    assert entry.context["order"] == world.order.number
    assert entry.purpose == Purpose.SHIPPING
    assert {field.rsplit(".", 1)[1] for field in entry.fields} == set(body["ship_to"])
    assert entry.at == NOW


def test_another_carriers_shipment_is_a_403_and_reads_nothing(world):
    # when
    response = world.p.api.get(_label_path(world.theirs))

    # then
    body = error_of(response, 403)
    assert body["code"] == "forbidden"
    assert "Fabien" not in response.content.decode()
    assert world.theirs.tracking_number not in response.content.decode()
    assert _ship_to_logs() == 0


@pytest.mark.parametrize("public_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "1", "%20"])
def test_a_malformed_or_unknown_id_is_a_404(world, public_id):
    body = error_of(world.p.api.get(_label_path(public_id)), 404)

    assert body["code"] == "shipment_not_found"
    assert _ship_to_logs() == 0


def test_the_label_is_withheld_with_a_410_after_the_grant_ended(world, clock):
    # given: P delivers the parcel; the grant lasts 14 more days
    for step in ("picked_up", "in_transit", "delivered"):
        assert _post_status(world.p, world.mine, step).status_code == 200
    clock.move(days=13)
    assert world.p.api.get(_label_path(world.mine)).status_code == 200
    logs = _ship_to_logs()

    # when: 15 days after delivery
    clock.move(days=2)
    response = world.p.api.get(_label_path(world.mine))

    # then
    body = error_of(response, 410)
    assert body["code"] == "grant_expired"
    assert "after delivery" in body["message"]
    assert body["extra"]["reason"] == body["message"]
    assert not [value for value in PERSONAL if value in response.content.decode()]
    assert _ship_to_logs() == logs  # nothing was read


def test_the_label_of_a_cancelled_order_is_withheld_at_once(world):
    # given: an order still at the merchant, cancelled by AllBuy
    from allbuy.orders.services import order_cancel

    y = merchant_create("Y Gadgets")
    order = order_paid_from(merchants={y: None})
    shipment = shipment_of(order, y)
    order_cancel(order=order, actor="staff", reason="out of stock")

    # when
    body = error_of(world.p.api.get(_label_path(shipment)), 410)

    # then
    assert body["code"] == "grant_expired"
    assert "cancelled" in body["message"]


# --- status updates ------------------------------------------------------------------------------------------------------


def test_the_carrier_moves_its_shipment_step_by_step(world):
    # when
    response = _post_status(world.p, world.mine, "picked_up", note="depot Berlin-Mitte")

    # then
    assert response.status_code == 200
    assert response.json()["status"] == "picked_up"
    assert response.json()["items"] == 2
    event = ShipmentEvent.objects.filter(shipment=world.mine).last()
    assert event is not None
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "handed_over", "picked_up", "Carrier: P Parcel", "depot Berlin-Mitte",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("done", "then", "current"),
    [
        ([], "delivered", "handed_over"),  # skipped picked up and in transit
        ([], "in_transit", "handed_over"),  # skipped picked up
        (["picked_up", "in_transit"], "picked_up", "in_transit"),  # backwards
        (["picked_up"], "picked_up", "picked_up"),  # the same step twice
        (["picked_up", "in_transit", "delivered"], "in_transit", "delivered"),  # after the end
    ],
)
def test_skipped_or_backwards_steps_are_a_409_and_change_nothing(world, done, then, current):
    # given
    for step in done:
        assert _post_status(world.p, world.mine, step).status_code == 200
    before = _state(world.mine)

    # when
    response = _post_status(world.p, world.mine, then)

    # then
    body = error_of(response, 409)
    assert (body["code"], body["extra"]["status"]) == ("status_transition_invalid", current)
    assert _state(world.mine) == before


def test_a_shipment_still_at_the_merchant_cannot_be_picked_up(world):
    y = merchant_create("Y Gadgets")
    ready = shipment_of(order_paid_from(merchants={y: None}), y)

    body = error_of(_post_status(world.p, ready, "picked_up"), 409)

    assert body["extra"]["status"] == "ready"


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "packed"},  # a merchant's step
        {"status": "cancelled"},
        {"status": "lost"},
        {"status": ""},
        {},
        {"status": "picked_up", "note": "n" * 201},
        {"status": "picked_up", "tracking_number": "X"},
    ],
)
def test_an_unknown_status_or_field_is_a_400(world, payload):
    before = _state(world.mine)

    response = world.p.api.post(_label_path(world.mine) + "/status", payload, content_type="application/json")

    assert error_of(response, 400)["code"] == "invalid_input"
    assert _state(world.mine) == before


def test_malformed_json_is_a_400(world):
    response = world.p.api.post(_label_path(world.mine) + "/status", "{status", content_type="application/json")

    assert error_of(response, 400)["code"] == "bad_request"
    assert _state(world.mine)[0] == "handed_over"


def test_another_carriers_shipment_cannot_be_moved(world):
    before = _state(world.theirs)

    body = error_of(_post_status(world.p, world.theirs, "picked_up"), 403)

    assert body["code"] == "forbidden"
    assert _state(world.theirs) == before


def test_an_unknown_shipment_cannot_be_moved(world):
    assert error_of(_post_status(world.p, "5b0d2c5e-0000-4000-8000-000000000000", "picked_up"), 404)["code"] == (
        "shipment_not_found"
    )


# --- signed webhooks -----------------------------------------------------------------------------------------------------


def _webhook(
    party: Party,
    shipment: Shipment | str,
    status: str,
    *,
    event_id: str = "ev-0001",
    secret: str | None = None,
    at: datetime | None = None,
    carrier_code: str | None = None,
    body: bytes | None = None,
) -> Any:
    raw = (
        body
        if body is not None
        else json.dumps(
            {"event_id": event_id, "shipment": str(getattr(shipment, "public_id", shipment)), "status": status}
        ).encode()
    )
    timestamp = int((at or NOW).timestamp())
    headers = {
        "X-AllBuy-Carrier": carrier_code or party.carrier.code,
        "X-AllBuy-Signature": webhook_signature_header(secret=secret or party.secret, body=raw, timestamp=timestamp),
    }
    return Client().post("/api/carrier/webhooks", raw, content_type="application/json", headers=headers)


def test_a_signed_webhook_moves_the_shipment_and_is_recorded(world):
    # when
    response = _webhook(world.p, world.mine, "picked_up", event_id="ev-42")

    # then
    assert response.status_code == 200
    assert response.json()["event_id"] == "ev-42"
    assert response.json()["shipment"]["status"] == "picked_up"
    assert _state(world.mine)[0] == "picked_up"
    assert ShipmentEvent.objects.filter(shipment=world.mine).last().actor == "Carrier: P Parcel"  # type: ignore[union-attr]
    assert CarrierWebhookReceipt.objects.filter(carrier=world.p.carrier, event_id="ev-42").exists()


def test_a_forged_signature_is_a_401_and_changes_nothing(world):
    before = _state(world.mine)

    response = _webhook(world.p, world.mine, "picked_up", secret="guessed-secret")

    assert error_of(response, 401)["code"] == "webhook_signature_invalid"
    assert _state(world.mine) == before
    assert not CarrierWebhookReceipt.objects.exists()


def test_a_webhook_signed_with_another_carriers_secret_is_a_401(world):
    # Q signs, but claims to be P
    response = _webhook(world.p, world.mine, "picked_up", secret=world.q.secret)

    assert error_of(response, 401)["code"] == "webhook_signature_invalid"


@pytest.mark.parametrize("carrier_code", ["nobody", "p" * 200])
def test_an_unknown_carrier_is_a_401_like_a_bad_signature(world, carrier_code):
    body = error_of(_webhook(world.p, world.mine, "picked_up", carrier_code=carrier_code), 401)

    assert body["code"] == "webhook_signature_invalid"
    assert body["message"] == error_of(_webhook(world.p, world.mine, "picked_up", secret="x"), 401)["message"]


def test_a_webhook_without_signature_headers_is_a_401(world):
    response = Client().post(
        "/api/carrier/webhooks", {"event_id": "e", "shipment": "s", "status": "picked_up"}, content_type="application/json"
    )

    assert error_of(response, 401)["code"] == "webhook_signature_invalid"


def test_a_body_changed_after_signing_is_a_401(world):
    raw = json.dumps({"event_id": "ev-1", "shipment": str(world.mine.public_id), "status": "picked_up"}).encode()
    headers = {
        "X-AllBuy-Carrier": "p",
        "X-AllBuy-Signature": webhook_signature_header(secret=world.p.secret, body=raw, timestamp=int(NOW.timestamp())),
    }
    tampered = raw.replace(b"picked_up", b"delivered")

    response = Client().post("/api/carrier/webhooks", tampered, content_type="application/json", headers=headers)

    assert error_of(response, 401)["code"] == "webhook_signature_invalid"
    assert _state(world.mine)[0] == "handed_over"


@pytest.mark.parametrize("seconds", [-301, 301, -3600])
def test_a_stale_timestamp_is_a_400_and_changes_nothing(world, seconds):
    before = _state(world.mine)

    response = _webhook(world.p, world.mine, "picked_up", at=NOW + timedelta(seconds=seconds))

    assert error_of(response, 400)["code"] == "webhook_timestamp_invalid"
    assert _state(world.mine) == before
    assert not CarrierWebhookReceipt.objects.exists()


def test_a_replayed_event_is_a_409_and_changes_nothing(world):
    # given: the event was applied, then the shipment moved on
    assert _webhook(world.p, world.mine, "picked_up", event_id="ev-7").status_code == 200
    assert _post_status(world.p, world.mine, "in_transit").status_code == 200
    before = _state(world.mine)

    # when: the same event comes again (even signed afresh, even for a step that would now be allowed)
    again = _webhook(world.p, world.mine, "picked_up", event_id="ev-7")
    other_step = _webhook(world.p, world.mine, "delivered", event_id="ev-7")

    # then
    for response in (again, other_step):
        body = error_of(response, 409)
        assert (body["code"], body["extra"]) == ("webhook_replayed", {"event_id": "ev-7"})
    assert _state(world.mine) == before


def test_the_same_event_id_of_another_carrier_is_not_a_replay(world):
    assert _webhook(world.p, world.mine, "picked_up", event_id="ev-1").status_code == 200

    assert _webhook(world.q, world.theirs, "picked_up", event_id="ev-1").status_code == 200


def test_a_webhook_for_another_carriers_shipment_is_a_403_and_not_recorded(world):
    before = _state(world.theirs)

    response = _webhook(world.p, world.theirs, "picked_up")

    assert error_of(response, 403)["code"] == "forbidden"
    assert _state(world.theirs) == before
    assert not CarrierWebhookReceipt.objects.exists()


@pytest.mark.parametrize("shipment", ["00000000-0000-4000-8000-000000000000", "not-an-id"])
def test_a_webhook_for_an_unknown_shipment_is_a_404(world, shipment):
    assert error_of(_webhook(world.p, shipment, "picked_up"), 404)["code"] == "shipment_not_found"
    assert not CarrierWebhookReceipt.objects.exists()


def test_a_refused_step_is_not_recorded_so_a_corrected_event_can_follow(world):
    # given: a skipped step, refused
    body = error_of(_webhook(world.p, world.mine, "delivered", event_id="ev-9"), 409)
    assert (body["code"], body["extra"]["status"]) == ("status_transition_invalid", "handed_over")
    assert not CarrierWebhookReceipt.objects.exists()

    # when: the carrier sends the right step under the same id
    response = _webhook(world.p, world.mine, "picked_up", event_id="ev-9")

    # then
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", "malformed_json"),
        (b"", "malformed_json"),
        (b'{"event_id": "e", "status": "picked_up"}', "invalid_input"),
        (b'{"event_id": "", "shipment": "s", "status": "picked_up"}', "invalid_input"),
        (b'{"event_id": "e", "shipment": "s", "status": "lost"}', "invalid_input"),
        (b'{"event_id": "e", "shipment": "s", "status": "picked_up", "extra": 1}', "invalid_input"),
        (b"[]", "invalid_input"),
    ],
)
def test_a_signed_but_malformed_body_is_a_400(world, raw, code):
    response = _webhook(world.p, world.mine, "", body=raw)

    assert error_of(response, 400)["code"] == code
    assert _state(world.mine)[0] == "handed_over"


def test_a_body_over_64_kib_is_refused_before_anything_else(world):
    raw = json.dumps(
        {"event_id": "ev-1", "shipment": str(world.mine.public_id), "status": "picked_up", "note": "x" * MAX_BODY_BYTES}
    ).encode()

    response = _webhook(world.p, world.mine, "", body=raw)

    assert error_of(response, 413)["code"] == "payload_too_large"
    assert _state(world.mine)[0] == "handed_over"


def test_the_webhook_takes_only_post(world):
    response = Client().get("/api/carrier/webhooks")

    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"


# --- the schema ----------------------------------------------------------------------------------------------------------


def test_the_openapi_schema_lists_the_carrier_endpoints_with_their_security_and_errors(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    carrier = {
        (path, method): operation
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "carrier" in operation.get("tags", [])
    }

    assert set(carrier) == {
        ("/api/carrier/shipments", "get"),
        ("/api/carrier/shipments/{public_id}", "get"),
        ("/api/carrier/shipments/{public_id}/status", "post"),
        ("/api/carrier/webhooks", "post"),
    }
    scheme = schema["components"]["securitySchemes"]["CarrierBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for (path, _method), operation in carrier.items():
        if path == "/api/carrier/webhooks":
            assert operation["security"] == []
            assert {"400", "401", "409", "413"} <= set(operation["responses"])
            assert {p["name"] for p in operation["parameters"]} == {"X-AllBuy-Carrier", "X-AllBuy-Signature"}
            assert "event_id" in operation["requestBody"]["content"]["application/json"]["schema"]["properties"]
        else:
            assert operation["security"] == [{"CarrierBearer": []}]
            assert {"401", "403"} <= set(operation["responses"])
        assert "ErrorOut" in str(operation["responses"]["401"])
    assert "410" in carrier[("/api/carrier/shipments/{public_id}", "get")]["responses"]
    assert "409" in carrier[("/api/carrier/shipments/{public_id}/status", "post")]["responses"]
