"""Reading a batch of behaviour events sent by the shop's script: pure validation, no database.

Invalid events are dropped and counted by reason; valid ones in the same batch are kept. Nothing here raises on
bad input except `BatchRejected`, for a body that is not a batch at all (the whole request is refused).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from allbuy.core.errors import ApplicationError
from allbuy.tracking.models import EventKind, ScreenBucket

MAX_BATCH_EVENTS = 100
MAX_BODY_BYTES = 64 * 1024
MAX_PAST = timedelta(hours=24)  # the script sends within seconds; a day covers a laptop waking up
MAX_FUTURE = timedelta(minutes=5)  # clock skew
MAX_TIMING_MS = 600_000
MAX_PATH = 200
MAX_QUERY = 200
CHECKOUT_STEPS = frozenset({"cart", "checkout", "confirmation"})
KINDS: dict[str, int] = {kind.label: kind.value for kind in EventKind}
PRODUCT_KINDS = frozenset({EventKind.PRODUCT_VIEW, EventKind.ADD_TO_CART, EventKind.REMOVE_FROM_CART, EventKind.PURCHASE})

# Anything that looks like an email address or a phone number is cut out of search words before they are kept.
_EMAIL = re.compile(r"\S+@\S+")
_PHONE = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
_SPACES = re.compile(r"\s+")
_BLANK_OR_CONTROL = re.compile(r"[\x00-\x20]")  # what a path never holds unencoded (a regex: 20x a loop over it)


class BatchRejected(ApplicationError):
    status = 400


@dataclass(frozen=True)
class EventRow:
    """One valid event, in the column order of `tracking_event` (without id, visitor and device)."""

    day: date
    occurred_at: datetime
    kind: int
    product_id: int | None
    path: str
    query: str
    step: str
    screen: int
    ttfb_ms: int | None
    dom_ready_ms: int | None
    load_ms: int | None


@dataclass
class Batch:
    rows: list[EventRow] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)

    def drop(self, reason: str, count: int = 1) -> None:
        if count > 0:
            self.dropped[reason] += count


def query_scrub(text: str) -> str:
    """Return search words without anything that looks like an email address or a phone number."""
    text = _EMAIL.sub(" ", text)
    text = _PHONE.sub(lambda m: " " if sum(c.isdigit() for c in m.group()) >= 7 else m.group(), text)
    return _SPACES.sub(" ", text).strip()[:MAX_QUERY]


def screen_bucket(width: object) -> int:
    if isinstance(width, bool) or not isinstance(width, int | float) or not 0 < width <= 100_000:
        return ScreenBucket.UNKNOWN
    for limit, bucket in ((480, ScreenBucket.XS), (768, ScreenBucket.SM), (1024, ScreenBucket.MD), (1440, ScreenBucket.LG)):
        if width <= limit:
            return bucket
    return ScreenBucket.XL


def path_clean(value: object) -> str | None:
    """Return the path without query string or fragment, or None when it is not a path of this site."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return None
    path = value.split("?", 1)[0].split("#", 1)[0]
    if len(path) > MAX_PATH or _BLANK_OR_CONTROL.search(path):
        return None
    return path


def _timing(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_TIMING_MS:
        return None
    return int(value)


def _moment(value: object, now: datetime) -> datetime | None:
    """Read a timestamp in milliseconds since the epoch (what the script sends); None when missing or out of range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if not now - MAX_PAST <= moment <= now + MAX_FUTURE:
        return None
    return moment


def batch_size_check(length: int) -> None:
    """Refuse a body larger than a batch may be (413), before it is read."""
    if length > MAX_BODY_BYTES:
        raise BatchRejected(f"A batch may hold at most {MAX_BODY_BYTES // 1024} KiB.", code="batch_too_large", status=413)


def batch_parse(body: bytes) -> list[Any]:
    """Return the list of raw events in a request body, or raise BatchRejected (400) / a 413 for too many."""
    batch_size_check(len(body))
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BatchRejected("The body is not valid JSON.", code="malformed_json") from None
    events = document.get("events") if isinstance(document, dict) else None
    if not isinstance(events, list):
        raise BatchRejected('The body must be a JSON object with a list "events".', code="malformed_batch")
    if len(events) > MAX_BATCH_EVENTS:
        raise BatchRejected(f"A batch may hold at most {MAX_BATCH_EVENTS} events.", code="batch_too_large", status=413)
    return events


def batch_validate(events: list[Any], *, now: datetime, known_products: Collection[int], screen_width: object = None) -> Batch:
    """Keep the valid events, count the others by reason. `known_products`: ids of products that exist."""
    batch = Batch()
    default_screen = screen_bucket(screen_width)
    for raw in events:
        reason = _validate_one(raw, now=now, known_products=known_products, default_screen=default_screen, batch=batch)
        if reason:
            batch.drop(reason)
    return batch


def product_ids_mentioned(events: list[Any]) -> set[int]:
    """Return the product ids a batch names, to look them up in one query."""
    ids = set()
    for raw in events:
        if isinstance(raw, dict):
            value = raw.get("product")
            if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
                ids.add(value)
    return ids


def _validate_one(raw: Any, *, now: datetime, known_products: Collection[int], default_screen: int, batch: Batch) -> str:
    if not isinstance(raw, dict):
        return "malformed_event"
    kind_name = raw.get("type")
    kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        return "unknown_type"
    occurred_at = _moment(raw.get("ts"), now)
    if occurred_at is None:
        return "bad_timestamp"
    path = path_clean(raw.get("path", "/"))
    if path is None:
        return "bad_path"
    product = raw.get("product")
    product_id = None
    if kind in PRODUCT_KINDS:
        if isinstance(product, bool) or not isinstance(product, int) or product not in known_products:
            return "unknown_product"
        product_id = product
    query = step = ""
    if kind == EventKind.SEARCH:
        words = raw.get("query")
        query = query_scrub(words) if isinstance(words, str) else ""
        if not query:
            return "empty_query"
    if kind == EventKind.CHECKOUT_STEP:
        given = raw.get("step")
        step = given if isinstance(given, str) else ""
        if step not in CHECKOUT_STEPS:
            return "bad_step"
    given_timing = raw.get("timing")
    timing: dict[str, Any] = given_timing if isinstance(given_timing, dict) else {}
    screen = screen_bucket(raw["screen"]) if "screen" in raw else default_screen
    batch.rows.append(
        EventRow(
            day=now.date(),
            occurred_at=occurred_at,
            kind=kind,
            product_id=product_id,
            path=path,
            query=query,
            step=step,
            screen=screen,
            ttfb_ms=_timing(timing.get("ttfb")),
            dom_ready_ms=_timing(timing.get("dom")),
            load_ms=_timing(timing.get("load")),
        )
    )
    return ""
