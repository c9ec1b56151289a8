"""The registry of benchmark suites. `bench/run.py` runs every registered suite and writes their rows.

A suite measures named rows in one run, each against the suite's own floor (the cheapest comparable
operation measured beside it), so results are ratios that survive a noisy or different machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class SetupError(Exception):
    """The suite could not start; the message is shown to the user as one line."""


@dataclass(frozen=True)
class RunOptions:
    duration: float
    connections: int
    slice: float  # seconds of one slice when a suite alternates a row with its floor
    warmup: float
    client: str  # "auto", "wrk" or "asyncio"
    max_requests: int
    only: frozenset[str] = frozenset()  # row or suite names; empty means every row
    seed: bool = True  # False: use the bench database as it is (quicker repeated runs)

    def wants(self, suite: str, row: str) -> bool:
        return not self.only or suite in self.only or row in self.only


@dataclass(frozen=True)
class Row:
    """One measured line of a suite; `rps` is operations per second for suites that are not HTTP."""

    suite: str
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    ratio_to_floor: float
    target_ratio: float | None = None
    target_p99_ms: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def has_target(self) -> bool:
        return self.target_ratio is not None or self.target_p99_ms is not None

    @property
    def meets_target(self) -> bool | None:
        if not self.has_target:
            return None
        if self.error:
            return False
        ratio_ok = self.target_ratio is None or self.ratio_to_floor >= self.target_ratio
        p99_ok = self.target_p99_ms is None or self.p99_ms < self.target_p99_ms
        return ratio_ok and p99_ok


SuiteRun = Callable[[RunOptions], list[Row]]


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    rows: tuple[str, ...]  # every row name the suite can produce; `--only` accepts these
    run: SuiteRun


SUITES: dict[str, Suite] = {}


def suite(name: str, *, description: str, rows: tuple[str, ...]) -> Callable[[SuiteRun], SuiteRun]:
    """Register the decorated function as the benchmark suite `name`."""

    def register(run: SuiteRun) -> SuiteRun:
        if name in SUITES:
            raise ValueError(f"A benchmark suite named {name!r} is already registered.")
        SUITES[name] = Suite(name=name, description=description, rows=rows, run=run)
        return run

    return register
