"""Reads of behaviour events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Max

from allbuy.tracking.models import ConsentRecord, DeviceClass, Event, EventKind, ScreenBucket, VisitorLink

# The events that say a visitor was interested in a product.
INTEREST_KINDS = (EventKind.PRODUCT_VIEW, EventKind.ADD_TO_CART, EventKind.PURCHASE)


def visitor_recent_products(*, visitor: str, since: datetime, limit: int = 20) -> list[int]:
    """Return the products `visitor` viewed, put in the cart or bought since `since`, newest first, each once.

    One query, on the (visitor, occurred_at) index. `day` (the UTC day an event was received) bounds it too, so
    PostgreSQL reads only the partitions that can hold such events; the day before `since` is kept in case a
    browser's clock ran ahead of the server's.
    """
    rows = (
        Event.objects.filter(
            visitor=visitor,
            occurred_at__gte=since,
            day__gte=(since.astimezone(UTC) - timedelta(days=1)).date(),
            kind__in=INTEREST_KINDS,
            product_id__isnull=False,
        )
        .values("product_id")
        .annotate(last_at=Max("occurred_at"))
        .order_by("-last_at", "-product_id")[:limit]
    )
    return [row["product_id"] for row in rows]


@dataclass(frozen=True)
class TrackingOverview:
    """What the My privacy page and the export show of tracking: choices, linked browsers, recorded events."""

    history: list[ConsentRecord]
    linked_browsers: int
    events_held: int
    recent_events: list[Event]


def tracking_overview(*, user: Any, recent: int = 20) -> TrackingOverview:
    """Return an account's consent history and the events of the browsers linked to it (four queries)."""
    visitors = list(VisitorLink.objects.filter(user=user).values_list("visitor", flat=True))
    events = Event.objects.filter(visitor__in=visitors)
    return TrackingOverview(
        history=list(ConsentRecord.objects.filter(user=user).order_by("-decided_at", "-id")),
        linked_browsers=len(visitors),
        events_held=events.count() if visitors else 0,
        recent_events=list(events.order_by("-occurred_at", "-id")[:recent]) if visitors else [],
    )


def tracking_export(*, user: Any) -> dict[str, Any]:
    """Return the account's consent history and every event of its linked browsers, as JSON-ready data."""
    from allbuy.privacy.crypto import decrypt_value

    visitors = list(VisitorLink.objects.filter(user=user).values_list("visitor", flat=True))
    events = Event.objects.filter(visitor__in=visitors).order_by("occurred_at", "id") if visitors else Event.objects.none()
    return {
        "consent_history": [
            {
                "decided_at": record.decided_at.isoformat(),
                "analytics": record.analytics,
                "personalisation": record.personalisation,
                "marketing": record.marketing,
                "global_privacy_control": record.gpc,
                "policy_version": record.policy_version,
                "source": record.source,
            }
            for record in ConsentRecord.objects.filter(user=user).order_by("decided_at", "id")
        ],
        "linked_browsers": len(visitors),
        "events": [
            {
                "at": event.occurred_at.isoformat(),
                "type": EventKind(event.kind).label,
                "path": event.path,
                "product_id": event.product_id,
                "search": decrypt_value(event.query, field="tracking.Event.query") if event.query else "",
                "checkout_step": event.step,
                "device": DeviceClass(event.device).label,
                "screen": ScreenBucket(event.screen).label,
            }
            for event in events.iterator()
        ],
    }
