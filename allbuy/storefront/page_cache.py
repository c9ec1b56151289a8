"""Rendered catalog HTML kept in Django's cache, keyed on the catalog revision.

Every catalog write moves the revision on (catalog.signals), so a key built from it is never
stale, across processes too: the revision is read from the database once per request. Nothing
per visitor may go into a cached fragment; the page shell around it is rendered per request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from allbuy.catalog.selectors import catalog_revision
from allbuy.core import clock
from allbuy.deals.selectors import deals_cache_key_memoised
from allbuy.deals.windows import local_day

_REVISION_ATTRIBUTE = "_allbuy_catalog_revision"
_NOW_ATTRIBUTE = "_allbuy_now"
_DEALS_ATTRIBUTE = "_allbuy_deals_key"


def request_catalog_revision(request: HttpRequest) -> int:
    """Return the catalog revision, read from the database at most once per request."""
    revision = getattr(request, _REVISION_ATTRIBUTE, None)
    if revision is None:
        revision = catalog_revision()
        setattr(request, _REVISION_ATTRIBUTE, revision)
    return revision


def request_now(request: HttpRequest) -> datetime:
    """Return the instant this request is served at: its page's cache key and its prices agree on it."""
    moment = getattr(request, _NOW_ATTRIBUTE, None)
    if moment is None:
        moment = clock.now()
        setattr(request, _NOW_ATTRIBUTE, moment)
    return moment


def request_deals_key(request: HttpRequest) -> str:
    """Return what the live deals and promotions look like at `request_now` (one query, at most once per request).

    It moves at every deal start, end and sell-out, and at the shop's local midnight (today's deals), so a
    cached page shows the prices of the moment with no cron and no catalog write.
    """
    key = getattr(request, _DEALS_ATTRIBUTE, None)
    if key is None:
        moment = request_now(request)
        deals = deals_cache_key_memoised(now=moment, revision=request_catalog_revision(request))
        key = f"{deals}@{local_day(moment).isoformat()}"
        setattr(request, _DEALS_ATTRIBUTE, key)
    return key


def fragment_key(name: str, revision: int, *parts: object) -> str:
    """Return a short cache key for fragment `name` at `revision`, varying on `parts`."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:40]
    return f"storefront:{name}:{revision}:{digest}"


def fragment_cached(key: str, build: Callable[[], Any]) -> Any:
    """Return the cached value under `key`, building and storing it on a miss.

    Exceptions from `build` (not found, bad input) propagate and nothing is stored.
    """
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.ALLBUY_PAGE_CACHE_SECONDS)
    return value
