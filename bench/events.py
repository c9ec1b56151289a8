"""Behaviour events: ingestion through HTTP on PostgreSQL and on SQLite against a plain bulk insert of the same rows,
and the cost of recommendations on the product page and the home page.

Django reads its database settings once per process, so each database gets a worker process,
`bench/events_run.py`, with DATABASE_URL set: PostgreSQL is `ALLBUY_BENCH_POSTGRES_URL` (default
`postgres://postgres@127.0.0.1:5432/allbuy_bench`, created when missing, shared with the checkout suite; its events
table is emptied before and after the run), SQLite a file of its own, `var/bench-events.sqlite3`, built afresh.
Each worker migrates, seeds the demo catalog and starts its own gunicorn (2 sync workers, DEBUG off).

Rows (see bench/README.md): `pg_copy`, `pg_executemany` and `sqlite_executemany` are the floors (rows per second of
the bulk insert, batches of 50, one transaction each, measured in the worker without HTTP); `pg_http_c8`,
`pg_http_c32`, `sqlite_http_c8`, `sqlite_http_c32` are events per second through `POST /events/batch` at 8 and 32
connections, their ratio over the first floor of their database interleaved with them. `product_with_recs` over
`product_without_recs`, `home_personal` over `home_anonymous`: requests per second, alternating slices.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from bench.checkout import DEFAULT_URL, _database_ensure
from bench.django_project import ROOT
from bench.registry import Row, RunOptions, SetupError, suite

SUITE = "events"
SQLITE_FILE = ROOT / "var" / "bench-events.sqlite3"
TARGET_PG_EVENTS_PER_SECOND = 20_000.0
TARGET_PRODUCT_RATIO = 0.9
OTHER_WORK_NOISY = 0.2  # share of the machine's CPU used by processes outside the bench during a row
PG_INGEST_ROWS = ("pg_copy", "pg_executemany", "pg_http_c8", "pg_http_c32")
SQLITE_ROWS = ("sqlite_executemany", "sqlite_http_c8", "sqlite_http_c32")
PAGE_ROWS = ("product_without_recs", "product_with_recs", "home_anonymous", "home_personal")


def _sqlite_remove() -> None:
    for suffix in ("", "-wal", "-shm"):
        SQLITE_FILE.with_name(SQLITE_FILE.name + suffix).unlink(missing_ok=True)


def _worker(database: str, url: str, options: RunOptions, extra: list[str]) -> dict[str, Any]:
    """Run bench/events_run.py for one database, showing its progress; return its JSON result."""
    command = [
        sys.executable,
        "-m",
        "bench.events_run",
        f"--database={database}",
        f"--duration={options.duration}",
        f"--slice={options.slice}",
        f"--connections={options.connections}",
        f"--max-requests={options.max_requests}",
        *extra,
    ]
    environment = {**os.environ, "DATABASE_URL": url}
    tail: deque[str] = deque(maxlen=5)
    with tempfile.TemporaryFile(mode="w+") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.PIPE, text=True)
        # Setup takes a minute at most; each measured second costs about three (slices of the floors, warm-ups).
        watchdog = threading.Timer(300 + 12 * options.duration, process.terminate)
        watchdog.start()
        try:
            assert process.stderr is not None
            for line in process.stderr:  # progress lines, shown as they come; the last ones explain a failure
                if line.startswith("bench: "):
                    print(line.rstrip(), flush=True)
                if line.strip().strip("^~ "):
                    tail.append(line.strip())
            process.wait(timeout=60)
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.terminate()  # the worker stops its gunicorn on SIGTERM's SystemExit
                process.wait(30)
        if process.returncode != 0:
            raise SetupError(f"the events worker ({database}) failed: {tail[-1] if tail else f'exit code {process.returncode}'}")
        out.seek(0)
        lines = out.read().strip().splitlines()
    if not lines:
        raise SetupError(f"the events worker ({database}) printed no result")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _row(record: dict[str, Any], result: dict[str, Any]) -> Row:
    details = {**record.get("details", {}), "database": f"{result['database']} {result['vendor_version']}"}
    if record["name"].startswith(("pg_http", "sqlite_http")):
        details["events_per_visitor_per_minute"] = result["events_per_visitor_per_minute"]
    if record["name"].startswith("pg_http"):
        details["target_events_per_second"] = TARGET_PG_EVENTS_PER_SECOND
        details["meets_events_target"] = record["rps"] >= TARGET_PG_EVENTS_PER_SECOND and not record.get("error")
    return Row(
        suite=SUITE,
        name=record["name"],
        rps=record["rps"],
        p50_ms=record["p50_ms"],
        p99_ms=record["p99_ms"],
        ratio_to_floor=record["ratio_to_floor"],
        target_ratio=TARGET_PRODUCT_RATIO if record["name"] == "product_with_recs" else None,
        details=details,
        error=record.get("error"),
    )


@suite(
    SUITE,
    description="events through POST /events/batch on PostgreSQL and SQLite against a bulk insert; recommendations on pages",
    rows=PG_INGEST_ROWS + SQLITE_ROWS + PAGE_ROWS,
)
def events_suite(options: RunOptions) -> list[Row]:
    wants_pg = any(options.wants(SUITE, row) for row in PG_INGEST_ROWS)
    wants_pages = any(options.wants(SUITE, row) for row in PAGE_ROWS)
    wants_sqlite = any(options.wants(SUITE, row) for row in SQLITE_ROWS)
    results = []
    if wants_pg or wants_pages:
        url = os.environ.get("ALLBUY_BENCH_POSTGRES_URL") or DEFAULT_URL
        _database_ensure(url)
        print(f"bench: events: PostgreSQL database {urlsplit(url).path.lstrip('/')}")
        extra = [*([] if wants_pg else ["--no-ingest"]), *(["--pages"] if wants_pages else [])]
        results.append(_worker("postgresql", url, options, extra))
    if wants_sqlite:
        _sqlite_remove()
        try:
            results.append(_worker("sqlite", f"sqlite:///{SQLITE_FILE}", options, []))
        finally:
            _sqlite_remove()  # a run writes hundreds of thousands of rows; nothing in it is needed afterwards
    rows = []
    for result in results:
        for reason in result["skipped"]:
            print(f"bench: events: {reason}")
        rows += [_row(record, result) for record in result["rows"] if options.wants(SUITE, record["name"])]
    for row in rows:
        cpu = row.details.get("cpu_ms_per_1000_events") or row.details.get("cpu_ms_per_1000_rows") or {}
        if cpu and cpu["other"] > OTHER_WORK_NOISY * sum(cpu.values()):
            share = cpu["other"] / sum(cpu.values())
            print(f"bench: events: {row.name}: other work took {share:.0%} of the machine's CPU meanwhile; rerun when quiet")
        if row.details.get("meets_events_target") is False:
            print(f"bench: events: {row.name}: {row.rps:,.0f} events/s, target {TARGET_PG_EVENTS_PER_SECOND:,.0f} missed")
    return rows
