"""Request and response shapes of the carrier API: shipments, their label data and status updates.

The list carries no personal data at all; only the label (one shipment) carries the recipient's name, address
and phone, read under the carrier's shipping-data grant and logged for the customer to see.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from allbuy.fulfilment.models import Shipment

# What a carrier may report; the order of the steps is checked by `shipment_move` (409 when skipped or backwards).
CarrierStatus = Literal["picked_up", "in_transit", "failed_attempt", "delivered"]
# What a carrier may filter its list by (a cancelled shipment is not listed at all).
ListedStatus = Literal["ready", "packed", "handed_over", "picked_up", "in_transit", "failed_attempt", "delivered"]


class ShipmentOut(Schema):
    public_id: uuid.UUID = Field(description="The shipment's id in this API: random, it cannot be guessed or counted.")
    tracking_number: str
    status: str = Field(examples=["handed_over"])
    merchant: str = Field(description="The merchant that packs the parcel and hands it over.", examples=["Xiaomi Store"])
    items: int = Field(description="How many units the parcel holds.")
    updated_at: datetime

    @classmethod
    def from_shipment(cls, shipment: Shipment, *, items: int) -> ShipmentOut:
        return cls(
            public_id=shipment.public_id,
            tracking_number=shipment.tracking_number,
            status=shipment.status,
            merchant=shipment.merchant.name,
            items=items,
            updated_at=shipment.updated_at,
        )


class ShipmentListOut(Schema):
    items: list[ShipmentOut]
    total: int
    limit: int
    offset: int


class ShipToOut(Schema):
    recipient_name: str
    line1: str
    line2: str
    city: str
    region: str
    postcode: str
    country: str = Field(examples=["DE"])
    phone: str


class ShipmentLabelOut(ShipmentOut):
    weight_grams: int
    ship_to: ShipToOut = Field(
        description="Read under your shipping-data grant and logged; after it ends the answer is 410 `grant_expired`."
    )


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: CarrierStatus = Field(description="The next step: picked up, in transit, a failed attempt, or delivered.")
    note: str = Field("", max_length=200, description="Shown in the shipment's history, e.g. 'left with a neighbour'.")


class WebhookIn(StatusIn):
    event_id: str = Field(min_length=1, max_length=80, description="Your id of this event: the same id is applied once.")
    shipment: str = Field(max_length=64, description="The shipment's `public_id` (404 when it is not one of yours).")


class WebhookOut(Schema):
    event_id: str
    shipment: ShipmentOut
