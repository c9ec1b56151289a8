"""Run every registered benchmark suite: `python -m bench.run [--duration S] [--connections N] [--only NAME]`.

Writes `bench/results/latest.json` and prints a table. Exit status: 0 when every row was measured,
1 when a row failed (e.g. a page did not answer 200), 2 when a suite could not be set up, 130 on Ctrl-C;
with `--strict`, also 1 when a row misses its target.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from bench.registry import SUITES, Row, RunOptions, SetupError
from bench.report import notes, results_write, table_format

# Each module registers its suites on import; a new benchmark adds its module here.
SUITE_MODULES = ("bench.http_load", "bench.crypto_read", "bench.checkout", "bench.events", "bench.recommendations")
RESULTS_DIR = Path(__file__).resolve().parent / "results"
BUSY_LOAD_AVERAGE = 0.5


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description="Run AllBuy's benchmark suites.")
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds of load per page, as much again on the floor (default 10)"
    )
    parser.add_argument(
        "--slice", type=float, default=1.0, help="seconds of each slice alternating page and floor (default 1; wrk rounds up)"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of load on each URL before measuring (default 1)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="a suite or row name; repeatable")
    parser.add_argument(
        "--client", choices=("auto", "wrk", "asyncio"), default="auto", help="load generator; auto: wrk if on PATH, else asyncio"
    )
    parser.add_argument("--max-requests", type=int, default=500_000, help="request cap per run of the asyncio client")
    parser.add_argument("--skip-seed", action="store_true", help="use the bench database as it is: no migrate, no seed_demo")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a row misses its target")
    arguments = parser.parse_args(argv)
    if min(arguments.duration, arguments.slice, arguments.connections, arguments.max_requests) <= 0 or arguments.warmup < 0:
        parser.error("--duration, --slice, --connections and --max-requests must be positive, --warmup not negative")
    return arguments


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # SystemExit unwinds through every `finally`, so gunicorn is stopped as on Ctrl-C.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    for module in SUITE_MODULES:
        importlib.import_module(module)
    known = set(SUITES) | {row for s in SUITES.values() for row in s.rows}
    unknown = sorted(set(arguments.only) - known)
    if unknown:
        print(f"bench: unknown --only {', '.join(unknown)}; known names: {', '.join(sorted(known))}", file=sys.stderr)
        return 2
    options = RunOptions(
        duration=arguments.duration,
        connections=arguments.connections,
        slice=arguments.slice,
        warmup=arguments.warmup,
        client=arguments.client,
        max_requests=arguments.max_requests,
        only=frozenset(arguments.only),
        seed=not arguments.skip_seed,
    )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = datetime.now(UTC)
    load_before = os.getloadavg()[0]  # other work on the machine skews every number; recorded with them
    rows: list[Row] = []
    setup_failed = False
    try:
        for name, registered in SUITES.items():
            if options.only and not any(options.wants(name, row) for row in registered.rows):
                continue
            try:
                rows.extend(registered.run(options))
            except SetupError as error:
                print(f"bench: {name}: setup failed: {error}", file=sys.stderr)
                setup_failed = True
    except KeyboardInterrupt:
        print("bench: interrupted; nothing written", file=sys.stderr)
        return 130
    if not rows:
        return 2 if setup_failed else 0

    meta: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": {k: sorted(v) if isinstance(v, frozenset) else v for k, v in vars(options).items()},
        "cpus": os.cpu_count(),
        "load_average_1min_before": round(load_before, 2),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }
    latest = results_write(rows, meta, RESULTS_DIR)
    print()
    print(table_format(rows))
    for line in notes(rows):
        print(line)
    if load_before >= BUSY_LOAD_AVERAGE:
        print(f"BUSY: the load average was {load_before:.2f} before the run; other work shares these CPUs")
    print(f"\nwritten: {latest.relative_to(Path.cwd()) if latest.is_relative_to(Path.cwd()) else latest.name}")
    if setup_failed:
        return 2
    if any(row.error for row in rows):
        return 1
    if arguments.strict and any(row.meets_target is False for row in rows):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
