"""The carrier API: a carrier lists its shipments, reads label data, and reports status — by token or signed webhook.

**Tokens.** Every endpoint but the webhook takes `Authorization: Bearer abct_…`, a token AllBuy issues to the
carrier (`carrier_token_create`; only its hash is kept). A missing, malformed, unknown or revoked token is
401 `invalid_token` — checked on every request, so a token revoked mid-session stops working at once. A
token without the endpoint's scope is 403 `insufficient_scope`: `shipments:read` to list and read labels,
`shipments:write` to post status updates. No cookie, session or CSRF token is involved.

**Whose shipments.** A carrier sees only the shipments assigned to it. Shipment ids are random UUIDs: a
malformed or unknown id is 404. An id that exists but is assigned to *another* carrier is 403 `forbidden`
(the issue's "wrong carrier → 403"); only a caller with a valid token gets that far, and since ids cannot
be guessed, the 403 tells it nothing it did not already hold. Either way nothing of the shipment is sent.

**Label data.** The recipient's name, address and phone are read under the carrier's shipping-data grant
(`shipment_ship_to`), and each read is logged for the customer's "Who accessed my data". Once the grant has
ended (delivery plus `ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY` days, or the order was cancelled) the answer
is 410 `grant_expired` with the reason.

**Status.** Carriers move a shipment handed over → picked up → in transit → delivered (or failed attempt,
then in transit or delivered again). A skipped or backwards step is 409 `status_transition_invalid` with the
current status in `extra.status`, and nothing changes.

**Webhooks.** `POST /api/carrier/webhooks` takes the same status updates pushed by the carrier, signed instead
of token-authenticated (see `allbuy.fulfilment.webhooks`): 401 `webhook_signature_invalid`, 400
`webhook_timestamp_invalid` (more than 5 minutes off), 409 `webhook_replayed` (an event id already applied),
413 `payload_too_large` (over 64 KiB), then the same answers as the status endpoint. A refused event is not
recorded, so it can be corrected and sent again with the same id.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from ninja import Header, Query, Router
from ninja.security import HttpBearer
from pydantic import ValidationError as PydanticValidationError

from allbuy.api.carrier_schemas import (
    ListedStatus,
    ShipmentLabelOut,
    ShipmentListOut,
    ShipmentOut,
    ShipToOut,
    StatusIn,
    WebhookIn,
    WebhookOut,
)
from allbuy.api.cart import params_only
from allbuy.api.schemas import ErrorOut
from allbuy.core import clock
from allbuy.core.errors import ApplicationError, InvalidInput, NotFound
from allbuy.fulfilment.models import Carrier, CarrierToken, CarrierWebhookReceipt, Shipment, ShipmentStatus
from allbuy.fulfilment.services import carrier_actor, carrier_token_check, carrier_webhook_secret, shipment_move, shipment_ship_to
from allbuy.fulfilment.webhooks import (
    CARRIER_HEADER,
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    SIGNATURE_REFUSED,
    WebhookSignatureInvalid,
    webhook_verify,
)

logger = logging.getLogger(__name__)

SCOPE_READ = "shipments:read"
SCOPE_WRITE = "shipments:write"
SCOPES = (SCOPE_READ, SCOPE_WRITE)
MAX_LIMIT = 100
MAX_OFFSET = 100_000


class InvalidToken(ApplicationError):
    code = "invalid_token"
    status = 401
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class InsufficientScope(ApplicationError):
    code = "insufficient_scope"
    status = 403


class WebhookReplayed(ApplicationError):
    code = "webhook_replayed"
    status = 409


class PayloadTooLarge(ApplicationError):
    code = "payload_too_large"
    status = 413


class CarrierBearer(HttpBearer):
    """A carrier's API token with one scope; every refusal is an error with its own code (see the module doc)."""

    openapi_bearerFormat = "abct_<prefix>_<secret>"  # ninja copies openapi_* names into the schema
    openapi_description = (
        "A carrier API token issued by AllBuy, sent as `Authorization: Bearer abct_…`. Scopes: `shipments:read` "
        "(list, label data) and `shipments:write` (status updates)."
    )

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> CarrierToken:
        scheme, _, token = (request.headers.get(self.header) or "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise InvalidToken("Send your carrier API token: Authorization: Bearer abct_…")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> CarrierToken:
        row = carrier_token_check(token[:200])
        if row is None:
            raise InvalidToken("This API token is not valid: it is unknown, malformed or revoked.")
        if self.scope not in (row.scopes or []):
            raise InsufficientScope(f"This API token lacks the '{self.scope}' scope.", extra={"scope": self.scope})
        return row


carrier_read = CarrierBearer(SCOPE_READ)
carrier_write = CarrierBearer(SCOPE_WRITE)

router = Router(tags=["carrier"])

TOKEN_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}
ONE_ERRORS: dict[int, Any] = {**TOKEN_ERRORS, 404: ErrorOut}


def _carrier(request: HttpRequest) -> Carrier:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, CarrierToken)  # CarrierBearer let only live tokens through
    return token.carrier


def _with_items(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    return shipments.select_related("merchant", "carrier", "order").annotate(units=Sum("lines__order_line__quantity"))


def _shipment_of(carrier: Carrier, public_id: str) -> Shipment:
    """The carrier's shipment: 404 for a malformed or unknown id, 403 for another carrier's."""
    try:
        key = uuid.UUID(str(public_id)[:64])
    except ValueError:
        raise NotFound("No such shipment.", code="shipment_not_found") from None
    shipment = _with_items(Shipment.objects.filter(public_id=key)).first()
    if shipment is None:
        raise NotFound("No such shipment.", code="shipment_not_found")
    if shipment.carrier_id != carrier.pk:
        raise ApplicationError("This shipment is not assigned to you.", code="forbidden", status=403)
    return shipment


def _out(shipment: Shipment) -> ShipmentOut:
    return ShipmentOut.from_shipment(shipment, items=int(getattr(shipment, "units", 0) or 0))


STATUS_QUERY = Query(None, description="Only shipments in this status.")


@router.get(
    "/carrier/shipments",
    response={200: ShipmentListOut, **TOKEN_ERRORS},
    auth=carrier_read,
    summary="List your shipments",
)
def shipments_get(
    request: HttpRequest,
    status: ListedStatus | None = STATUS_QUERY,
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description=f"Shipments per answer, 1 to {MAX_LIMIT}."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="How many of the oldest shipments to skip."),
) -> ShipmentListOut:
    """The shipments assigned to you, oldest first, cancelled ones left out. No personal data: read the label for that."""
    params_only(request, {"status", "limit", "offset"})
    shipments = Shipment.objects.filter(carrier=_carrier(request)).exclude(status=ShipmentStatus.CANCELLED)
    if status:
        shipments = shipments.filter(status=status)
    page = list(_with_items(shipments).order_by("created_at", "id")[offset : offset + limit])
    return ShipmentListOut(items=[_out(s) for s in page], total=shipments.count(), limit=limit, offset=offset)


@router.get(
    "/carrier/shipments/{public_id}",
    response={200: ShipmentLabelOut, **ONE_ERRORS, 410: ErrorOut},
    auth=carrier_read,
    summary="Get a shipment's label data",
)
def shipment_get(request: HttpRequest, public_id: str) -> ShipmentLabelOut:
    """The label: tracking number, contents and the recipient's name, address and phone (a logged read).

    410 `grant_expired`, with the reason, once your access to the recipient's data has ended.
    """
    params_only(request, set())
    carrier = _carrier(request)
    shipment = _shipment_of(carrier, public_id)
    ship_to = shipment_ship_to(shipment=shipment, actor=carrier_actor(carrier))
    out = _out(shipment)
    return ShipmentLabelOut(**out.model_dump(), weight_grams=shipment.weight_grams, ship_to=ShipToOut(**ship_to))


def _move(carrier: Carrier, shipment: Shipment, *, to: str, note: str) -> ShipmentOut:
    moved = shipment_move(shipment=shipment, to=to, by=carrier_actor(carrier), note=note)
    moved.units = getattr(shipment, "units", 0)  # type: ignore[attr-defined]
    return _out(moved)


@router.post(
    "/carrier/shipments/{public_id}/status",
    response={200: ShipmentOut, **ONE_ERRORS, 409: ErrorOut},
    auth=carrier_write,
    summary="Report a shipment's status",
)
def shipment_status_post(request: HttpRequest, public_id: str, payload: StatusIn) -> ShipmentOut:
    """Move the shipment one step: 409 `status_transition_invalid` (with `extra.status`) when skipped or backwards."""
    carrier = _carrier(request)
    return _move(carrier, _shipment_of(carrier, public_id), to=payload.status, note=payload.note)


# --- signed webhooks ---------------------------------------------------------------------------------------------------

WEBHOOK_BODY = {
    "required": True,
    "content": {"application/json": {"schema": WebhookIn.model_json_schema()}},
}


def _body(request: HttpRequest) -> bytes:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"A webhook body is at most {MAX_BODY_BYTES // 1024} KiB.")
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"A webhook body is at most {MAX_BODY_BYTES // 1024} KiB.")
    return body


def _event(body: bytes) -> WebhookIn:
    try:
        return WebhookIn.model_validate_json(body)
    except PydanticValidationError as error:
        if any(e.get("type") == "json_invalid" for e in error.errors()):
            raise InvalidInput("The body is not valid JSON.", code="malformed_json") from None
        detail = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", "")), "type": e.get("type", "")}
            for e in error.errors()
        ]
        raise InvalidInput(
            "Invalid input: " + "; ".join(f"'{d['field']}': {d['message']}" for d in detail[:5]) + ".",
            extra={"detail": detail},
        ) from None


@router.post(
    "/carrier/webhooks",
    response={200: WebhookOut, **dict.fromkeys((400, 401, 403, 404, 409, 413), ErrorOut)},
    auth=None,
    summary="Report a shipment's status by signed webhook",
    openapi_extra={"requestBody": WEBHOOK_BODY, "security": []},
)
def carrier_webhook_post(
    request: HttpRequest,
    carrier_code: str | None = Header(None, alias=CARRIER_HEADER, description="Your carrier code."),
    signature: str | None = Header(
        None, alias=SIGNATURE_HEADER, description='"t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>"'
    ),
) -> WebhookOut:
    """A status update pushed by the carrier, signed with its webhook secret instead of a token.

    Each `event_id` is applied once (409 `webhook_replayed` after that); the update follows the same rules as
    the status endpoint. A refused update is not recorded as applied.
    """
    params_only(request, set())
    body = _body(request)
    now = clock.now()
    carrier = Carrier.objects.filter(code=(carrier_code or "")[:30]).first() if carrier_code else None
    if carrier is None:
        logger.warning("carrier webhook refused: unknown carrier")
        raise WebhookSignatureInvalid(SIGNATURE_REFUSED)
    try:
        webhook_verify(secret=carrier_webhook_secret(carrier), body=body, header=signature or "", now=now)
    except ApplicationError as error:
        logger.warning("carrier webhook refused: carrier %s, %s", carrier.code, error.code)
        raise
    event = _event(body)
    with transaction.atomic():
        if CarrierWebhookReceipt.objects.filter(carrier=carrier, event_id=event.event_id).exists():
            raise WebhookReplayed("This event was already applied; nothing was changed.", extra={"event_id": event.event_id})
        try:
            with transaction.atomic():
                CarrierWebhookReceipt.objects.create(carrier=carrier, event_id=event.event_id, received_at=now)
        except IntegrityError:  # the same event, applied meanwhile by a concurrent delivery
            raise WebhookReplayed(
                "This event was already applied; nothing was changed.", extra={"event_id": event.event_id}
            ) from None
        shipment = _shipment_of(carrier, event.shipment)
        out = _move(carrier, shipment, to=event.status, note=event.note)
    return WebhookOut(event_id=event.event_id, shipment=out)
