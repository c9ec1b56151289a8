"""The HTTP suite: the shop under gunicorn, each catalog page measured against the floor view.

The floor is `/_bench/floor`: `HttpResponse("ok")` behind the same middleware, routed only by the bench
settings. The machine is shared and noisy (a test run elsewhere halves throughput for seconds), so each
page is measured in short slices alternating with slices of the floor: floor, page, page, floor, floor,
page… Both then see the same background load, and the page's `ratio_to_floor` is its requests per second
over those of the floor slices interleaved with it (`floor_rps` in its row). The floor row sums every
floor slice of the run. Percentiles of several slices are their request-weighted means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import mean, pstdev
from typing import Any

from bench.django_project import FLOOR_PATH, ROOT, SETTINGS_MODULE, django_ready
from bench.http_targets import Target, catalog_targets, database_prepare
from bench.load import LoadGenerator, LoadResult, combined, load_generator
from bench.registry import Row, RunOptions, SetupError, suite
from bench.server import gunicorn_serving, probe

SUITE = "http"
WORKERS = 2  # shared/perf-notes.md: the machine is CPU-bound at two sync workers
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0


@dataclass(frozen=True)
class Probed:
    problem: str | None  # why the URL cannot be measured; None when it answers 200
    size: int  # body bytes of that one response


@dataclass(frozen=True)
class Paired:
    """The slices of one page and of the floor slices interleaved with them, in rounds."""

    page: list[LoadResult]
    floor: list[LoadResult]

    @property
    def round_ratios(self) -> list[float]:
        return [p.rps / f.rps if f.rps else 0.0 for p, f in zip(self.page, self.floor, strict=True)]


def _probe(base_url: str, target: Target) -> Probed:
    try:
        answer = probe(base_url + target.path)
    except OSError as error:
        return Probed(f"GET {target.path} failed: {error}", 0)
    if answer.status != 200:
        redirect = f" to {answer.location}" if answer.location else ""
        return Probed(f"GET {target.path} answered {answer.status}{redirect}, not 200", answer.size)
    return Probed(None, answer.size)


def _measure(generator: LoadGenerator, url: str, options: RunOptions, *, seconds: float) -> LoadResult:
    return generator(url, duration=seconds, connections=options.connections, max_requests=options.max_requests)


def _probe_and_warm(generator: LoadGenerator, base: str, targets: list[Target], options: RunOptions) -> dict[str, Probed]:
    probed = {}
    for target in targets:
        probed[target.name] = _probe(base, target)
        if probed[target.name].problem is None and options.warmup > 0:  # fills both workers' caches
            _measure(generator, base + target.path, options, seconds=options.warmup)
    return probed


def _measure_paired(generator: LoadGenerator, base: str, floor: Target, page: Target, options: RunOptions) -> Paired:
    rounds = max(1, math.ceil(options.duration / options.slice))
    print(f"bench: measuring {page.name} ({page.path}): {rounds} × {options.slice:g} s, alternating with the floor")
    paired = Paired(page=[], floor=[])
    for index in range(rounds):
        # ABBA order: a trend in the background load weighs on the page and the floor alike.
        order = [(floor, paired.floor), (page, paired.page)]
        for target, slices in order if index % 2 == 0 else reversed(order):
            slices.append(_measure(generator, base + target.path, options, seconds=options.slice))
    return paired


def _details(target: Target, result: LoadResult | None, size: int) -> dict[str, Any]:
    return {
        "url": target.path,
        "requests": result.requests if result else 0,
        "non_2xx": result.non_2xx if result else 0,
        "socket_errors": result.socket_errors if result else 0,
        "bytes": size,
        "generator": result.generator if result else None,
    }


def _floor_row(floor: Target, slices: list[LoadResult], probed: Probed) -> Row:
    result = combined(slices)
    if not result.rps:
        raise SetupError(f"the floor view completed no request: {result.problem}")
    return Row(
        suite=SUITE,
        name=floor.name,
        rps=result.rps,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        ratio_to_floor=1.0,
        details={**_details(floor, result, probed.size), "slices": len(slices)},
        error=result.problem,
    )


def _page_row(page: Target, paired: Paired | None, probed: Probed) -> Row:
    if paired is None:  # not measured: the probe's problem says why
        return Row(
            suite=SUITE,
            name=page.name,
            rps=0.0,
            p50_ms=0.0,
            p99_ms=0.0,
            ratio_to_floor=0.0,
            target_ratio=TARGET_RATIO,
            target_p99_ms=TARGET_P99_MS,
            details=_details(page, None, probed.size),
            error=probed.problem,
        )
    result, floor = combined(paired.page), combined(paired.floor)
    ratios = paired.round_ratios
    return Row(
        suite=SUITE,
        name=page.name,
        rps=result.rps,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        ratio_to_floor=result.rps / floor.rps if floor.rps else 0.0,
        target_ratio=TARGET_RATIO,
        target_p99_ms=TARGET_P99_MS,
        details={
            **_details(page, result, probed.size),
            "floor_rps": floor.rps,
            # How much the ratio moved from round to round (standard deviation over mean): the run's noise.
            "ratio_cv": pstdev(ratios) / mean(ratios) if mean(ratios) else 0.0,
        },
        error=result.problem or floor.problem,
    )


@suite(
    SUITE,
    description="gunicorn (2 sync workers) serving the seeded shop; each page against the floor view",
    rows=("floor", "home", "category", "product", "search", "api_products"),
)
def http_suite(options: RunOptions) -> list[Row]:
    django_ready()
    from django.conf import settings

    generator = load_generator(options.client)
    database_prepare(seed=options.seed)
    pages = [t for t in catalog_targets() if options.wants(SUITE, t.name)]
    floor = Target("floor", FLOOR_PATH)
    print(f"bench: gunicorn with {WORKERS} sync workers; load by {generator.name}, {options.connections} connections")
    serving = gunicorn_serving(
        root=ROOT,
        settings_module=SETTINGS_MODULE,
        workers=WORKERS,
        ready_path=FLOOR_PATH,
        log_path=settings.VAR_DIR / "bench-gunicorn.log",
    )
    with serving as base:
        probed = _probe_and_warm(generator, base, [floor, *pages], options)
        if probed[floor.name].problem:
            raise SetupError(f"the floor view does not answer: {probed[floor.name].problem}")
        measurable = [page for page in pages if probed[page.name].problem is None]
        paired = {page.name: _measure_paired(generator, base, floor, page, options) for page in measurable}
        # With no page to measure, the floor alone still shows whether the stack works.
        floor_slices = [result for pair in paired.values() for result in pair.floor] or [
            _measure(generator, base + floor.path, options, seconds=options.duration)
        ]
    floor_row = _floor_row(floor, floor_slices, probed[floor.name])
    return [floor_row, *(_page_row(page, paired.get(page.name), probed[page.name]) for page in pages)]
