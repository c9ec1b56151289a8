"""Demo browsing history, so the demo shop's product pages show "Customers also viewed" and "Bought together".

Made of synthetic visitors only (random pseudonyms that no browser holds), over the last days, and only when
the events table is empty; production never runs `seed_demo`.
"""

from __future__ import annotations

from datetime import timedelta

from allbuy.catalog.models import Product
from allbuy.core import clock
from allbuy.personalisation.services import RebuildReport, recommendations_rebuild
from allbuy.personalisation.synthetic import events_generate
from allbuy.tracking.ingest import EventRow
from allbuy.tracking.models import Event
from allbuy.tracking.services import events_store

DEMO_EVENTS = 20_000
DEMO_DAYS = 7


def demo_browsing_seed(*, events: int = DEMO_EVENTS) -> RebuildReport | None:
    """Write synthetic browsing of the demo catalog and rebuild recommendations; None when events already exist."""
    if Event.objects.exists():
        return None
    catalog = list(Product.objects.filter(is_active=True).values_list("pk", "brand_id", "category_id"))
    now = clock.now()
    start = int((now - timedelta(days=DEMO_DAYS)).timestamp())
    stream = events_generate(catalog=catalog, events=events, start=start, days=DEMO_DAYS - 1, seed=2026)
    by_visitor: dict[str, list[EventRow]] = {}
    for visitor, seconds, kind, product in stream:
        moment = now.fromtimestamp(seconds, tz=now.tzinfo)
        row = EventRow(moment.date(), moment, kind, product, f"/products/{product}/", "", "", 0, None, None, None)
        by_visitor.setdefault(visitor[:32], []).append(row)
    for visitor, rows in by_visitor.items():
        events_store(rows, visitor=visitor, device=0)
    return recommendations_rebuild(full=True, now=now)
