"""A seeded, synthetic but realistic stream of shopping events, for the recommendations bench and tests.

Shoppers come back for several sessions and mostly browse within one category, one brand or both, comparing
products of a similar price (a tier the generator keeps hidden), with a few jumps to whatever is popular.
Popularity is Zipf-like with a long tail. Some views lead to a cart add, a cart add often to browsing the
accessories of that category, and some baskets are bought. The same seed gives the same stream.

Events are `(visitor, seconds, kind, product_id)` tuples (see `allbuy.personalisation.similarity`), in time order;
`event_rows` turns them into the columns of `tracking.Event` for bulk inserts.
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import accumulate

from allbuy.personalisation.similarity import ADD_TO_CART, PRODUCT_VIEW, PURCHASE, EventTuple

CatalogItem = tuple[int, int, int]  # product id, brand id, category id

ZIPF_EXPONENT = 1.1
TIERS = 3
STOP = 0.18  # chance that a session ends after each view: sessions of ~5.5 views on average
JUMP = 0.1  # chance that the next view is anything popular, not within the session's focus
REVISIT = 0.08  # chance that the next view goes back to a product already seen
SAME_TIER = 0.7  # chance that a step within the focus stays in the same price tier
CART = 0.05  # chance that a view leads to an add to cart
ACCESSORY = 0.45  # chance that a cart add leads to browsing the accessories of that category
BUY = 0.45  # chance that a session with a cart ends in a purchase


def catalog_generate(*, products: int = 200, brands: int = 8, categories: int = 12, seed: int = 7) -> list[CatalogItem]:
    """Return a catalog of `products` (ids from 1) spread unevenly over `categories` and `brands` (ids from 1)."""
    rng = random.Random(seed)
    category_weights = [1 / (c + 1) ** 0.6 for c in range(categories)]
    brand_weights = [1 / (b + 1) ** 0.5 for b in range(brands)]
    # A category carries only some brands (phones: phone makers; chargers: accessory makers).
    carried = {c: rng.sample(range(1, brands + 1), k=rng.randint(2, max(2, brands // 2))) for c in range(1, categories + 1)}
    catalog: list[CatalogItem] = []
    for product in range(1, products + 1):
        category = rng.choices(range(1, categories + 1), weights=category_weights)[0]
        makers = carried[category]
        brand = rng.choices(makers, weights=[brand_weights[b - 1] for b in makers])[0]
        catalog.append((product, brand, category))
    return catalog


class _Picker:
    """Popularity-weighted choice among a fixed list of products."""

    def __init__(self, products: Sequence[int], weight: dict[int, float]) -> None:
        self.products = list(products)
        self.cumulative = list(accumulate(weight[p] for p in self.products))

    def pick(self, rng: random.Random) -> int:
        x = rng.random() * self.cumulative[-1]
        return self.products[min(bisect.bisect_right(self.cumulative, x), len(self.products) - 1)]


class _Shop:
    def __init__(self, catalog: Sequence[CatalogItem], seed: int) -> None:
        rng = random.Random(seed)
        ids = [product for product, _, _ in catalog]
        ranks = ids[:]
        rng.shuffle(ranks)
        self.weight = {product: 1 / (rank + 1) ** ZIPF_EXPONENT for rank, product in enumerate(ranks)}
        self.brand = {product: brand for product, brand, _ in catalog}
        self.category = {product: category for product, _, category in catalog}
        self.tier = {product: rng.randrange(TIERS) for product in ids}
        groups: defaultdict[tuple[object, ...], list[int]] = defaultdict(list)
        for product, brand, category in catalog:
            tier = self.tier[product]
            for key in (("all",), ("b", brand), ("c", category), ("bc", brand, category), ("ct", category, tier)):
                groups[key].append(product)
            groups[("bct", brand, category, tier)].append(product)
        self.pickers = {key: _Picker(products, self.weight) for key, products in groups.items()}
        categories = sorted(set(self.category.values()))
        # Each category's accessories: another category, fixed for the stream (phones -> chargers).
        self.accessories = {c: rng.choice([o for o in categories if o != c] or [c]) for c in categories}

    def pick(self, rng: random.Random, *key: object) -> int:
        return self.pickers[key].pick(rng)

    def within(self, rng: random.Random, product: int, focus: str) -> int:
        """Return a product to compare with `product`, within the session's focus."""
        brand, category, tier = self.brand[product], self.category[product], self.tier[product]
        same_tier = rng.random() < SAME_TIER
        if focus == "brand":
            return self.pick(rng, "b", brand)
        if focus == "both" and len(self.pickers[("bc", brand, category)].products) > 1:
            if same_tier and len(self.pickers[("bct", brand, category, tier)].products) > 1:
                return self.pick(rng, "bct", brand, category, tier)
            return self.pick(rng, "bc", brand, category)
        if same_tier and len(self.pickers[("ct", category, tier)].products) > 1:
            return self.pick(rng, "ct", category, tier)
        return self.pick(rng, "c", category)


def _session(shop: _Shop, rng: random.Random, visitor: str, start: int, favourite: int | None) -> Iterator[EventTuple]:
    if favourite is not None and rng.random() < 0.5:
        product = shop.pick(rng, "b", favourite)
    else:
        product = shop.pick(rng, "all")
    focus = rng.choices(("category", "brand", "both"), weights=(0.55, 0.2, 0.25))[0]
    seconds = start
    seen: list[int] = []
    basket: list[int] = []
    while True:
        yield (visitor, seconds, PRODUCT_VIEW, product)
        seen.append(product)
        seconds += 15 + int(rng.expovariate(1 / 50))
        in_cart = False
        if product not in basket and rng.random() < CART:
            basket.append(product)
            yield (visitor, seconds, ADD_TO_CART, product)
            seconds += 5 + int(rng.expovariate(1 / 20))
            in_cart = True
        if rng.random() < STOP:
            break
        roll = rng.random()
        if in_cart and roll < ACCESSORY:
            product = shop.pick(rng, "c", shop.accessories[shop.category[product]])
            focus = "category"
        elif roll < JUMP:
            product = shop.pick(rng, "all")
        elif roll < JUMP + REVISIT and len(seen) > 1:
            product = rng.choice(seen[:-1])
        else:
            product = shop.within(rng, product, focus)
    if basket and rng.random() < BUY:
        seconds += 60 + int(rng.expovariate(1 / 120))
        for product in basket:
            yield (visitor, seconds, PURCHASE, product)


def events_generate(*, catalog: Sequence[CatalogItem], events: int, start: int, days: int, seed: int = 1) -> list[EventTuple]:
    """Return `events` events over `days` days from `start` (seconds since the epoch), in time order."""
    if not catalog or events <= 0:
        return []
    shop = _Shop(catalog, seed)
    rng = random.Random(seed + 1)
    brands = sorted(set(shop.brand.values()))
    span = days * 86400
    stream: list[EventTuple] = []
    while len(stream) < events:
        visitor = f"{rng.getrandbits(128):032x}"
        favourite = rng.choice(brands) if rng.random() < 0.6 else None
        sessions = 1 + int(rng.expovariate(1 / 3))
        for _ in range(sessions):
            stream.extend(_session(shop, rng, visitor, start + rng.randrange(span), favourite))
    del stream[events:]
    stream.sort(key=lambda event: event[1])
    return stream


def event_rows(events: Sequence[EventTuple]) -> Iterator[tuple[str, str, str, int, int, str]]:
    """Yield `(day, occurred_at, visitor, kind, product_id, path)` per event, as SQLite stores them (UTC text)."""
    for visitor, seconds, kind, product in events:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
        yield (moment.date().isoformat(), moment.strftime("%Y-%m-%d %H:%M:%S"), visitor, kind, product, f"/products/{product}/")
