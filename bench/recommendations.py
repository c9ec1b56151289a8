"""Recommendations: offline quality of item-to-item similarity against popularity, and the rebuild time of 1,000,000 events.

Quality (pure Python, no database): a synthetic catalog of 200 products in 12 categories and 8 brands and a seeded
synthetic stream of 300,000 events over 28 days (`allbuy.personalisation.synthetic`). The model is trained on the
first 24 days (the same functions the rebuild runs); every session of the last 4 days is replayed: after each
product viewed, the next distinct product viewed is predicted, ten products at a time. Hit rate@10 and NDCG@10 of
item-to-item ("recommended for you" from the products seen so far) against two popularity baselines computed from
the same training days: the shop's most popular products, and the most popular of the last product's category.

Rebuild time (in a child process, on a fresh SQLite file `var/bench-recommendations.sqlite3`, since Django reads
its database settings once per process): migrate, a synthetic catalog of 200 products, 1,000,000 synthetic events
over 60 days inserted with executemany on a raw cursor, then `recommendations_rebuild(full=True)` against the floor
of reading the same rows with the same query, interleaved (floor, full, full, floor); then 10,000 more events and an
incremental rebuild.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.django_project import ROOT, django_ready, shown_path
from bench.registry import Row, RunOptions, SetupError, suite

SUITE = "recommendations"
QUALITY_ROWS = ("quality_popularity_category", "quality_popularity", "quality_item_to_item")
REBUILD_ROWS = ("rebuild_read", "rebuild_full", "rebuild_incremental")

CATALOG = {"products": 200, "brands": 8, "categories": 12}
SEED = 2026
START = 1_767_225_600  # 2026-01-01 00:00 UTC: the quality stream's first day
QUALITY_EVENTS = 300_000
QUALITY_DAYS = 28
TRAIN_DAYS = 24
TOP = 10
TARGET_QUALITY_RATIO = 1.15  # NDCG@10 of item-to-item over the stronger baseline's (popularity in the category)

REBUILD_EVENTS = 1_000_000
REBUILD_DAYS = 60
INCREMENTAL_EVENTS = 10_000
TARGET_FULL_MS = 60_000.0  # a full rebuild of a million events well within a minute
DATABASE_FILE = "bench-recommendations.sqlite3"
WORKER_TIMEOUT = 1800


# ---------------------------------------------------------------------------------------------
# Quality
# ---------------------------------------------------------------------------------------------


def _quality() -> dict[str, dict[str, float]]:
    from allbuy.personalisation import similarity
    from allbuy.personalisation.synthetic import catalog_generate, events_generate

    catalog = catalog_generate(seed=SEED, **CATALOG)
    stream = events_generate(catalog=catalog, events=QUALITY_EVENTS, start=START, days=QUALITY_DAYS, seed=SEED)
    split = START + TRAIN_DAYS * 86400
    train = sorted(e for e in stream if e[1] < split)
    test = sorted(e for e in stream if e[1] >= split)

    counts = similarity.counts_from_events(train)
    products = {product for product, _, _ in catalog}
    neighbours = similarity.neighbours_rank(
        pairs=counts.pairs[similarity.VIEWED], items=counts.items[similarity.VIEWED], allowed=products
    )
    category = {product: cat for product, _, cat in catalog}
    recent = [e for e in train if e[1] >= split - similarity.POPULARITY_DAYS * 86400]
    popularity = similarity.popularity_scores(
        counts=similarity.popularity_counts(recent, today=split // 86400), categories=category
    )
    shop_wide = sorted(popularity, key=lambda p: (-popularity[p][1], p))
    by_category: defaultdict[int, list[int]] = defaultdict(list)
    for product in shop_wide:
        by_category[popularity[product][0]].append(product)

    def popular(prefix: Sequence[int]) -> list[int]:
        seen = set(prefix)
        return [p for p in shop_wide if p not in seen][:TOP]

    def popular_in_category(prefix: Sequence[int]) -> list[int]:
        seen = set(prefix)
        ranked = [p for p in by_category[category[prefix[-1]]] if p not in seen][:TOP]
        return ranked + [p for p in shop_wide if p not in seen and p not in ranked][: TOP - len(ranked)]

    def item_to_item(prefix: Sequence[int]) -> list[int]:
        return similarity.recommendations_from_history(
            recent=prefix, neighbours=neighbours, fallback=popular_in_category(prefix), limit=TOP
        )

    methods: dict[str, Callable[[Sequence[int]], list[int]]] = {
        "quality_popularity": popular,
        "quality_popularity_category": popular_in_category,
        "quality_item_to_item": item_to_item,
    }
    cases = [
        (session.viewed[:t], session.viewed[t])
        for session in similarity.sessions_split(test)
        for t in range(1, len(session.viewed))
    ]
    results: dict[str, dict[str, float]] = {}
    for name, method in methods.items():
        hits = 0
        gain = 0.0
        timings: list[float] = []
        for prefix, target in cases:
            started = time.perf_counter()
            ranked = method(prefix)
            timings.append(time.perf_counter() - started)
            if target in ranked:
                hits += 1
                gain += 1 / math.log2(ranked.index(target) + 2)
        timings.sort()
        results[name] = {
            "hit_rate_at_10": hits / len(cases),
            "ndcg_at_10": gain / len(cases),
            "predictions": len(cases),
            "seconds": sum(timings),
            "p50_ms": statistics.median(timings) * 1000,
            "p99_ms": timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))] * 1000,
        }
    results["_stream"] = {
        "events": len(stream),
        "train_events": len(train),
        "test_sessions": sum(1 for _ in similarity.sessions_split(test)),
        "products_with_neighbours": len(neighbours),
    }
    return results


def _quality_rows(results: dict[str, dict[str, float]]) -> list[Row]:
    # The floor is the stronger baseline, what a visitor without personalisation sees: popularity in the category.
    floor = results["quality_popularity_category"]["ndcg_at_10"]
    shop_wide = results["quality_popularity"]["ndcg_at_10"]
    stream = results["_stream"]
    rows = []
    for name in QUALITY_ROWS:
        measured = results[name]
        rows.append(
            Row(
                suite=SUITE,
                name=name,
                rps=round(measured["predictions"] / measured["seconds"], 1) if measured["seconds"] else 0.0,
                p50_ms=round(measured["p50_ms"], 3),
                p99_ms=round(measured["p99_ms"], 3),
                # Here the ratio is one of quality: NDCG@10 over the category-popularity baseline's.
                ratio_to_floor=round(measured["ndcg_at_10"] / floor, 3) if floor else 0.0,
                target_ratio=TARGET_QUALITY_RATIO if name == "quality_item_to_item" else None,
                details={
                    "hit_rate_at_10": round(measured["hit_rate_at_10"], 4),
                    "ndcg_at_10": round(measured["ndcg_at_10"], 4),
                    "ndcg_ratio_to_shop_popularity": round(measured["ndcg_at_10"] / shop_wide, 3) if shop_wide else 0.0,
                    "predictions": int(measured["predictions"]),
                    "catalog": "synthetic: 200 products, 12 categories, 8 brands",
                    "events": int(stream["events"]),
                    "train_days": TRAIN_DAYS,
                    "test_days": QUALITY_DAYS - TRAIN_DAYS,
                    "test_sessions": int(stream["test_sessions"]),
                },
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Rebuild time (the child process)
# ---------------------------------------------------------------------------------------------


def _catalog_create(catalog: Sequence[tuple[int, int, int]]) -> None:
    from allbuy.catalog.models import Brand, Category, Product

    Brand.objects.bulk_create(
        Brand(id=b, name=f"Bench brand {b}", slug=f"bench-brand-{b}") for b in sorted({b for _, b, _ in catalog})
    )
    Category.objects.bulk_create(
        Category(id=c, name=f"Bench category {c}", slug=f"bench-category-{c}") for c in sorted({c for _, _, c in catalog})
    )
    Product.objects.bulk_create(
        Product(id=p, name=f"Bench gadget {p}", slug=f"bench-gadget-{p}", brand_id=b, category_id=c) for p, b, c in catalog
    )


def _events_insert(events: Sequence[tuple[str, int, int, int]], *, received: str | None = None) -> float:
    from django.db import connection, transaction

    from allbuy.personalisation.synthetic import event_rows

    sql = (
        "INSERT INTO tracking_event (day, occurred_at, visitor, kind, product_id, path, query, step, device, screen) "
        "VALUES (%s, %s, %s, %s, %s, %s, '', '', 0, 0)"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        rows = event_rows(events)
        if received:
            cursor.executemany(sql, [(received, *row[1:]) for row in rows])
        else:
            cursor.executemany(sql, list(rows))
    return time.perf_counter() - started


def _read_all(cutoff: Any, max_id: int) -> tuple[int, float]:
    from allbuy.personalisation.services import events_stream

    started = time.perf_counter()
    rows = sum(1 for _ in events_stream(cutoff=cutoff, max_id=max_id))
    return rows, time.perf_counter() - started


def worker(events: int) -> dict[str, Any]:
    """Build the bench database afresh and time the rebuilds; return what was measured."""
    from datetime import timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    from allbuy.core import clock
    from allbuy.personalisation.models import RebuildState
    from allbuy.personalisation.services import recommendations_rebuild
    from allbuy.personalisation.synthetic import catalog_generate, events_generate

    path = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_seconds = time.perf_counter() - started

    now = clock.now()
    catalog = catalog_generate(seed=SEED, **CATALOG)
    _catalog_create(catalog)
    started = time.perf_counter()
    start = int((now - timedelta(days=REBUILD_DAYS)).timestamp())
    stream = events_generate(catalog=catalog, events=events + INCREMENTAL_EVENTS, start=start, days=REBUILD_DAYS, seed=SEED)
    stream = [e for e in stream if e[1] < int(now.timestamp())]
    first, later = stream[:events], stream[events:]
    generate_seconds = time.perf_counter() - started
    insert_seconds = _events_insert(first)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    cutoff = now - timedelta(days=settings.ALLBUY_EVENT_RETENTION_DAYS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM tracking_event")
        max_id = int(cursor.fetchone()[0])
    floors: list[float] = []
    fulls: list[float] = []
    reports = []
    rows, seconds = _read_all(cutoff, max_id)  # floor, full, full, floor: noise falls on both alike
    floors.append(seconds)
    for _ in range(2):
        started = time.perf_counter()
        reports.append(recommendations_rebuild(full=True, now=now))
        fulls.append(time.perf_counter() - started)
    floors.append(_read_all(cutoff, max_id)[1])

    incremental_insert_seconds = _events_insert(later, received=now.date().isoformat())
    started = time.perf_counter()
    incremental = recommendations_rebuild(full=False, now=now + timedelta(minutes=10))
    incremental_seconds = time.perf_counter() - started
    return {
        "events": rows,
        "database": shown_path(path),
        "migrate_seconds": round(migrate_seconds, 2),
        "generate_seconds": round(generate_seconds, 2),
        "insert_seconds": round(insert_seconds, 2),
        "floor_seconds": [round(s, 3) for s in floors],
        "full_seconds": [round(s, 3) for s in fulls],
        "full_report": reports[-1].line(),
        "sessions": reports[-1].sessions,
        "pairs": reports[-1].pairs,
        "products_with_neighbours": reports[-1].products_with_neighbours,
        "incremental_events": len(later),
        "incremental_insert_seconds": round(incremental_insert_seconds, 2),
        "incremental_seconds": round(incremental_seconds, 3),
        "incremental_report": incremental.line(),
        "last_event_id": RebuildState.objects.get().last_event_id,
    }


def _rebuild_rows(result: dict[str, Any]) -> list[Row]:
    events = result["events"]
    floor = statistics.median(result["floor_seconds"])
    full = statistics.median(result["full_seconds"])
    common = {"events": events, "database": result["database"], "insert_seconds": result["insert_seconds"]}
    return [
        Row(
            suite=SUITE,
            name="rebuild_read",
            rps=round(events / floor, 1),
            p50_ms=round(floor * 1000, 1),
            p99_ms=round(max(result["floor_seconds"]) * 1000, 1),
            ratio_to_floor=1.0,
            details={**common, "rounds": len(result["floor_seconds"])},
        ),
        Row(
            suite=SUITE,
            name="rebuild_full",
            rps=round(events / full, 1),
            p50_ms=round(full * 1000, 1),
            p99_ms=round(max(result["full_seconds"]) * 1000, 1),
            # events/s over the floor's: 0.25 means the rebuild takes four times as long as reading the rows.
            ratio_to_floor=round(floor / full, 3),
            target_p99_ms=TARGET_FULL_MS,
            details={
                **common,
                "time_ratio": round(full / floor, 2),
                "sessions": result["sessions"],
                "pairs": result["pairs"],
                "products_with_neighbours": result["products_with_neighbours"],
                "generate_seconds": result["generate_seconds"],
                "rounds": len(result["full_seconds"]),
            },
        ),
        Row(
            suite=SUITE,
            name="rebuild_incremental",
            rps=round(result["incremental_events"] / result["incremental_seconds"], 1),
            p50_ms=round(result["incremental_seconds"] * 1000, 1),
            p99_ms=round(result["incremental_seconds"] * 1000, 1),
            ratio_to_floor=round((result["incremental_events"] / result["incremental_seconds"]) / (events / floor), 3),
            details={
                "new_events": result["incremental_events"],
                "after_events": events,
                "time_ratio_to_full": round(result["incremental_seconds"] / full, 3),
                "report": result["incremental_report"],
            },
        ),
    ]


def _rebuild(options: RunOptions) -> list[Row]:
    database = Path(ROOT) / "var" / DATABASE_FILE
    database.parent.mkdir(exist_ok=True)
    print(f"bench: recommendations: {REBUILD_EVENTS:,} events into {shown_path(database)}; this takes a few minutes")
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    completed = subprocess.run(
        [sys.executable, "-m", "bench.recommendations", "--worker", "--events", str(REBUILD_EVENTS)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip().strip("^~ ")]
        raise SetupError(f"the recommendations worker failed: {lines[-1] if lines else '(no output)'}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    print(
        f"bench: recommendations: {result['events']:,} events generated in {result['generate_seconds']} s, "
        f"inserted in {result['insert_seconds']} s (executemany); {result['full_report']}"
    )
    return _rebuild_rows(result)


@suite(
    SUITE,
    description="item-to-item vs popularity (hit rate and NDCG@10, synthetic stream) and the rebuild time of 1,000,000 events",
    rows=QUALITY_ROWS + REBUILD_ROWS,
)
def recommendations_suite(options: RunOptions) -> list[Row]:
    rows: list[Row] = []
    if any(options.wants(SUITE, name) for name in QUALITY_ROWS):
        started = time.perf_counter()
        results = _quality()
        print(f"bench: recommendations: quality measured in {time.perf_counter() - started:.1f} s")
        rows += _quality_rows(results)
    if any(options.wants(SUITE, name) for name in REBUILD_ROWS):
        rows += _rebuild(options)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.recommendations", description="The rebuild-time worker.")
    parser.add_argument("--worker", action="store_true", required=True)
    parser.add_argument("--events", type=int, default=REBUILD_EVENTS)
    arguments = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("sqlite"):
        print("bench.recommendations: DATABASE_URL must name the SQLite file of the bench", file=sys.stderr)
        return 2
    django_ready()
    print(json.dumps(worker(arguments.events)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
