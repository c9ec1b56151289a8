"""Signatures of carrier webhooks: a pure check of the raw body against the carrier's secret and the clock.

A carrier signs each webhook with its secret (see `carrier_webhook_secret_new`) and sends the signature in one
header, `X-AllBuy-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The check:

- a header that cannot be read, or no `v1` that matches, is `webhook_signature_invalid` (401);
- a genuine signature made more than `TOLERANCE_SECONDS` before or after now is `webhook_timestamp_invalid`
  (400): a captured webhook cannot be sent again later, and within the window the receipts table
  (`CarrierWebhookReceipt`) refuses the same event id twice.

Authenticity is checked before freshness, so a timestamp answer is only ever given to the secret's holder.
Several `v1` values are accepted (one per secret while a carrier rotates its secret); comparisons are
constant-time (`hmac.compare_digest`). Nothing here touches the database or the clock: `now` is passed in.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from allbuy.core.errors import ApplicationError

TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 64 * 1024
CARRIER_HEADER = "X-AllBuy-Carrier"
SIGNATURE_HEADER = "X-AllBuy-Signature"
MAX_HEADER_CHARS = 1000


class WebhookSignatureInvalid(ApplicationError):
    code = "webhook_signature_invalid"
    status = 401


class WebhookTimestampInvalid(ApplicationError):
    code = "webhook_timestamp_invalid"
    status = 400


SIGNATURE_REFUSED = "The webhook signature is missing or does not match the carrier's secret."


def webhook_signature(*, secret: str, body: bytes, timestamp: int) -> str:
    """The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def webhook_signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    """The `X-AllBuy-Signature` value a carrier sends (what its integration, and the tests, build)."""
    return f"t={timestamp},v1={webhook_signature(secret=secret, body=body, timestamp=timestamp)}"


def _header_parse(header: str) -> tuple[int, list[str]]:
    if not header or len(header) > MAX_HEADER_CHARS:
        raise WebhookSignatureInvalid(SIGNATURE_REFUSED)
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        name, sep, value = item.strip().partition("=")
        if not sep:
            raise WebhookSignatureInvalid(SIGNATURE_REFUSED)
        if name == "t":
            timestamps.append(value)
        elif name == "v1":
            signatures.append(value)
        # other schemes (v0, a future v2) are ignored, as a signer may send several
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit() or len(timestamps[0]) > 12:
        raise WebhookSignatureInvalid(SIGNATURE_REFUSED)
    if not signatures:
        raise WebhookSignatureInvalid(SIGNATURE_REFUSED)
    return int(timestamps[0]), signatures


def webhook_verify(*, secret: str, body: bytes, header: str, now: datetime, tolerance_seconds: int = TOLERANCE_SECONDS) -> int:
    """Check the signature header of a webhook body; return its timestamp, or raise one of the two errors above."""
    if not secret:
        raise WebhookSignatureInvalid(SIGNATURE_REFUSED)
    timestamp, signatures = _header_parse(header)
    expected = webhook_signature(secret=secret, body=body, timestamp=timestamp)
    matched = False
    for signature in signatures:
        # bytes, not str: compare_digest refuses non-ASCII text; no early exit, each candidate is compared in constant time
        matched |= hmac.compare_digest(expected.encode(), signature.strip().lower().encode())
    if not matched:
        raise WebhookSignatureInvalid(SIGNATURE_REFUSED)
    if abs(now.timestamp() - timestamp) > tolerance_seconds:
        raise WebhookTimestampInvalid(
            f"The webhook timestamp is more than {tolerance_seconds} seconds away from our clock; sign it again and resend.",
            extra={"tolerance_seconds": tolerance_seconds},
        )
    return timestamp
