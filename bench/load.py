"""What every HTTP load generator returns, and the choice between wrk and the built-in asyncio client."""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from typing import Protocol

from bench.registry import SetupError


@dataclass(frozen=True)
class LoadResult:
    generator: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int  # wrk counts "non-2xx or 3xx"; the asyncio client counts every status outside 2xx
    socket_errors: int  # connect, read, write errors and timeouts

    @property
    def problem(self) -> str | None:
        """Return why this run's numbers cannot be trusted, or None."""
        if self.requests == 0:
            return "no request completed"
        if self.non_2xx:
            return f"{self.non_2xx} of {self.requests} responses were not 2xx"
        if self.socket_errors:
            return f"{self.socket_errors} socket errors (connect, read, write or timeout)"
        return None


class LoadGenerator(Protocol):
    name: str

    def __call__(self, url: str, *, duration: float, connections: int, max_requests: int) -> LoadResult: ...


def percentile_ms(sorted_seconds: list[float], q: float) -> float:
    """Return the nearest-rank percentile `q` (0–100) of latencies already sorted, in milliseconds."""
    if not sorted_seconds:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(sorted_seconds)))
    return sorted_seconds[rank - 1] * 1000


def combined(results: list[LoadResult]) -> LoadResult:
    """Return the slices of one measurement as one result; its percentiles are request-weighted means."""
    requests = sum(r.requests for r in results)
    seconds = sum(r.seconds for r in results)

    def weighted(values: list[float]) -> float:
        return sum(v * r.requests for v, r in zip(values, results, strict=True)) / requests if requests else 0.0

    return LoadResult(
        generator=results[0].generator if results else "",
        requests=requests,
        seconds=seconds,
        rps=requests / seconds if seconds else 0.0,
        p50_ms=weighted([r.p50_ms for r in results]),
        p99_ms=weighted([r.p99_ms for r in results]),
        non_2xx=sum(r.non_2xx for r in results),
        socket_errors=sum(r.socket_errors for r in results),
    )


def load_generator(client: str) -> LoadGenerator:
    """Return wrk when asked for or when on PATH (for "auto"), else the built-in asyncio client."""
    from bench.aioclient import AsyncioClient
    from bench.wrk import Wrk

    if client == "asyncio":
        return AsyncioClient()
    if shutil.which("wrk"):
        return Wrk()
    if client == "wrk":
        raise SetupError("wrk is not on PATH (apt-get install wrk), or run with --client asyncio")
    return AsyncioClient()
