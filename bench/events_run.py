"""The events benchmark's worker: run by `bench/events.py` in its own process, once per database.

Usage (the suite does this for you):

    DATABASE_URL=postgres://… python -m bench.events_run --database postgresql --duration 10 --slice 1
    DATABASE_URL=sqlite:///…/bench-events.sqlite3 python -m bench.events_run --database sqlite --duration 10

Prints progress on stderr and one JSON document on the last line of stdout: the measured rows.

Ingestion: `POST /events/batch` through gunicorn (2 sync workers, DEBUG off) on 127.0.0.1, each request a batch of
50 valid events (product views, page views with timings, searches, cart adds) from one of 2,000 consenting
visitors in turn, so the per-visitor flood limit sees what it would in production. At 8 and then 32 connections,
slices of HTTP load alternate (ABBA) with in-process slices of the plain bulk insert of the same rows, in batches
of 50 with one transaction each: the COPY statement of `allbuy.tracking.services` and its executemany on
PostgreSQL, the executemany on SQLite. A row's ratio is its events per second (from the responses' "accepted",
which must equal the events sent) over the bulk insert's rows per second in the slices interleaved with it.

Recommendations (`--pages`, PostgreSQL): a synthetic stream of shopping over the demo catalog is stored and
`recommendations_rebuild(full=True)` builds the neighbours from it; then the page of a product with neighbours
("Customers also viewed", "Bought together") alternates with the page of a comparable product whose neighbours
are removed, and the home page of a visitor with personalisation consent and recent events ("Recommended for
you") with the home page of an anonymous visitor.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import http.client
import importlib.util
import json
import math
import os
import random
import signal
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.django_project import FLOOR_PATH, ROOT, SETTINGS_MODULE, django_ready
from bench.load import percentile_ms
from bench.server import gunicorn_serving

BATCH = 50  # events per request, and rows per transaction of the bulk insert
VISITORS = 2_000
BODIES = 200  # distinct batches, visitor i sends batch i % BODIES
CONCURRENCY = (8, 32)
WORKERS = 2
TIMEOUT_SECONDS = 10.0
PERSONAL_VISITOR_ID = "BenchPersonalVisitor01"  # 22 url-safe characters, like a real allbuy_vid
SYNTHETIC_EVENTS = 30_000
SYNTHETIC_DAYS = 7
USER_AGENTS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
)
SCREENS = (390, 412, 768, 1280, 1440, 1920)
SEARCHES = ("redmi note", "usb-c charger", "noise cancelling headphones", "galaxy watch", "ipad case", "power bank 20000")


def say(message: str) -> None:
    print(f"bench: events: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# The load generator: HTTP/1.1 on asyncio, any method, prepared request bytes, reads each response's body.


@dataclass
class Tally:
    remaining: int
    latencies: list[float] = field(default_factory=list)
    non_2xx: int = 0
    socket_errors: int = 0
    sent: int = 0  # events in the batches answered 2xx
    accepted: int = 0  # the sum of their "accepted"
    dropped: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    last_done: float = 0.0


class Requests:
    """Prepared requests (bytes, events in it) sent in turn, by every connection."""

    def __init__(self, items: Sequence[tuple[bytes, int]], *, events: bool) -> None:
        self.items = list(items)
        self.events = events  # read each answer's JSON counts
        self.index = 0

    def next(self) -> tuple[bytes, int]:
        item = self.items[self.index % len(self.items)]
        self.index += 1
        return item


@dataclass(frozen=True)
class HttpSlice:
    seconds: float
    latencies: list[float]
    non_2xx: int
    socket_errors: int
    sent: int
    accepted: int
    dropped: Counter[str]
    problems: list[str]
    cpu_ms: dict[str, float]


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Read one response: its status, its body and whether the connection may carry another request."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    version, status_text = head[0].split(" ", 2)[:2]
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    keep = headers.get("connection") != "close" if version == "HTTP/1.1" else headers.get("connection") == "keep-alive"
    if "content-length" in headers:
        return int(status_text), await reader.readexactly(int(headers["content-length"])), keep
    if headers.get("transfer-encoding") == "chunked":
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append((await reader.readexactly(size + 2))[:-2])
        while await reader.readuntil(b"\r\n") != b"\r\n":
            pass
        return int(status_text), b"".join(chunks), keep
    return int(status_text), await reader.read(), False


def _tally_answer(tally: Tally, requests: Requests, status: int, body: bytes, events: int) -> None:
    if not 200 <= status < 300:
        tally.non_2xx += 1
        if len(tally.problems) < 3:
            tally.problems.append(f"answered {status}: {body[:160]!r}")
        return
    if not requests.events:
        return
    answer = json.loads(body)
    tally.sent += events
    tally.accepted += answer["accepted"]
    tally.dropped.update(answer.get("reasons") or {})


async def _connection(port: int, requests: Requests, deadline: float, tally: Tally) -> None:
    stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    try:
        while time.perf_counter() < deadline and tally.remaining > 0:
            tally.remaining -= 1
            request, events = requests.next()
            began = time.perf_counter()
            try:
                if stream is None:  # gunicorn's sync workers close every connection: a connect per request
                    stream = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), TIMEOUT_SECONDS)
                stream[1].write(request)
                status, body, keep = await asyncio.wait_for(_response(stream[0]), TIMEOUT_SECONDS)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                tally.socket_errors += 1
                await _close(stream)
                stream = None
                await asyncio.sleep(0.01)
                continue
            tally.last_done = time.perf_counter()
            tally.latencies.append(tally.last_done - began)
            _tally_answer(tally, requests, status, body, events)
            if not keep:
                await _close(stream)
                stream = None
    finally:
        await _close(stream)


async def _close(stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
    if stream is not None:
        stream[1].close()
        with contextlib.suppress(OSError):
            await stream[1].wait_closed()


async def _drive(port: int, requests: Requests, *, seconds: float, connections: int, max_requests: int) -> Tally:
    tally = Tally(remaining=max_requests)
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(_connection(port, requests, deadline, tally) for _ in range(connections)))
    return tally


# ---------------------------------------------------------------------------------------------------------------
# CPU by role, from /proc (Linux): where the time goes.

_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _cpu_and_start_ms(pid: int) -> tuple[float, float] | None:
    """CPU milliseconds a process used so far (user + system) and when it started (ms since boot); None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            raw = stat.read()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) * _TICK_MS, int(fields[19]) * _TICK_MS


def _ticks_ms(pid: int) -> float:
    read = _cpu_and_start_ms(pid)
    return read[0] if read else 0.0


def _uptime_ms() -> float:
    with open("/proc/uptime") as uptime:
        return float(uptime.read().split()[0]) * 1000


def _gunicorn_pids(port: int) -> list[int]:
    """The master and workers of the gunicorn bound to `port` (not any other gunicorn on the machine)."""
    found = []
    bind = f"--bind=127.0.0.1:{port}".encode()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                    if bind in cmdline.read():
                        found.append(int(entry.name))
            except OSError:
                continue
    return found


def _postgres_pids() -> list[int]:
    """This database's server processes, plus the server's own (WAL writer, checkpointer…), shared with others."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            # This process's own backend too: idle during HTTP slices, the bulk insert's server side in its own slices.
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL"
        )
        return [row[0] for row in cursor.fetchall()]


def _machine_busy_ms() -> float:
    """CPU milliseconds every core of the machine spent busy so far (everything, other people's work included)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) * _TICK_MS


class CpuMeter:
    """CPU used by the web workers, PostgreSQL and this process between `start` and `stop`.

    Processes are listed again at `stop`: one that started meanwhile (a database connection opened anew, a
    restarted worker) counts whole; one that ended meanwhile is lost (its last CPU cannot be read any more).
    """

    def __init__(self, port: int | None) -> None:
        self.port = port

    def _pids(self) -> dict[str, list[int]]:
        return {"web": _gunicorn_pids(self.port) if self.port else [], "postgres": _postgres_pids()}

    def start(self) -> None:
        self.started_ms = _uptime_ms()
        self.before = {role: {pid: _ticks_ms(pid) for pid in pids} for role, pids in self._pids().items()}
        self.client_ms = time.process_time() * 1000
        self.machine_ms = _machine_busy_ms()

    def stop(self) -> dict[str, float]:
        used = {"client": time.process_time() * 1000 - self.client_ms}
        machine = _machine_busy_ms() - self.machine_ms
        for role, pids in self._pids().items():
            total = 0.0
            for pid in pids:
                read = _cpu_and_start_ms(pid)
                if read is None:
                    continue
                cpu, started = read
                if pid in self.before[role]:
                    total += max(0.0, cpu - self.before[role][pid])
                elif started >= self.started_ms - 10:  # born during the measurement
                    total += cpu
            used[role] = total
        used["other"] = max(0.0, machine - used["web"] - used["postgres"] - used["client"])
        return used


# ---------------------------------------------------------------------------------------------------------------
# The shop's data: catalog, visitors and their cookies, batches of events.


@dataclass(frozen=True)
class Shop:
    products: list[tuple[int, str]]  # active products: id, slug
    categories: list[str]


@dataclass(frozen=True)
class Visitor:
    visitor_id: str
    pseudonym: str
    cookie: str  # the Cookie header
    user_agent: str


def _prepare(database: str) -> Shop:
    from django.core.management import call_command
    from django.db import connection

    from allbuy.catalog.models import Category, Product

    say(f"{database}: migrating, seeding the demo catalog, collecting static files")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    # Every run starts from an empty events table (seed_demo adds a week of demo browsing to a new database), on
    # PostgreSQL all its day partitions: the bench database is kept between runs.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tracking_event" if connection.vendor == "postgresql" else "DELETE FROM tracking_event")
    products = list(Product.objects.filter(is_active=True).order_by("id").values_list("id", "slug"))
    categories = list(Category.objects.order_by("id").values_list("slug", flat=True))
    return Shop(products=products, categories=categories)


def consenting_cookie(visitor_id: str, decided_at: datetime) -> str:
    """The Cookie header of a visitor who accepted analytics and personalisation, signed with this SECRET_KEY."""
    from allbuy.tracking.consent import CONSENT_COOKIE, VISITOR_COOKIE, Choice

    choice = Choice(analytics=True, personalisation=True, marketing=False, gpc=False, policy_version="", decided_at=decided_at)
    return f"{CONSENT_COOKIE}={choice.cookie_value()}; {VISITOR_COOKIE}={visitor_id}"


def _visitors(rng: random.Random, now: datetime) -> list[Visitor]:
    from allbuy.tracking.consent import visitor_pseudonym

    visitors = []
    for i in range(VISITORS):
        visitor_id = base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")  # 22 characters
        decided_at = (now - timedelta(minutes=rng.randrange(1, 60 * 24 * 30))).replace(microsecond=0)
        visitors.append(
            Visitor(visitor_id, visitor_pseudonym(visitor_id), consenting_cookie(visitor_id, decided_at), USER_AGENTS[i % 4])
        )
    return visitors


def _batch(rng: random.Random, shop: Shop, now_ms: int) -> list[dict[str, Any]]:
    """Fifty valid events as the page script sends them, within the last hour, oldest first."""
    events: list[dict[str, Any]] = []
    moments = sorted(now_ms - rng.randrange(1_000, 3_600_000) for _ in range(BATCH))
    screen = rng.choice(SCREENS)
    for ts in moments:
        product_id, slug = rng.choice(shop.products)
        kind = rng.choices(("product_view", "page_view", "search", "add_to_cart"), weights=(60, 25, 10, 5))[0]
        event: dict[str, Any] = {"type": kind, "ts": ts, "screen": screen}
        if kind in ("product_view", "add_to_cart"):
            event |= {"path": f"/products/{slug}/", "product": product_id}
        elif kind == "search":
            event |= {"path": "/search", "query": rng.choice(SEARCHES)}
        else:
            path = rng.choice(("/", f"/categories/{rng.choice(shop.categories)}/", f"/products/{slug}/"))
            ttfb = rng.randrange(20, 400)
            event |= {"path": path, "timing": {"ttfb": ttfb, "dom": ttfb + rng.randrange(100, 900), "load": ttfb + 1200}}
        events.append(event)
    return events


@dataclass(frozen=True)
class Workload:
    requests: list[tuple[bytes, int]]  # one POST per visitor, in turn
    rows: list[list[tuple[object, ...]]]  # the same batches as `tracking_event` rows, for the bulk insert


def _workload(port: int, shop: Shop, visitors: list[Visitor], now: datetime, rng: random.Random) -> Workload:
    from allbuy.tracking import services as tracking_services
    from allbuy.tracking.devices import device_class
    from allbuy.tracking.ingest import batch_validate

    now_ms = int(now.timestamp() * 1000)
    batches = [_batch(rng, shop, now_ms) for _ in range(BODIES)]
    bodies = [json.dumps({"events": events}, separators=(",", ":")).encode() for events in batches]
    known = {product_id for product_id, _ in shop.products}
    requests = []
    rows = []
    for i, visitor in enumerate(visitors):
        body = bodies[i % BODIES]
        head = (
            f"POST /events/batch HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {visitor.user_agent}\r\n"
            f"Content-Type: text/plain;charset=UTF-8\r\nContent-Length: {len(body)}\r\nSec-Fetch-Site: same-origin\r\n"
            f"Cookie: {visitor.cookie}\r\n\r\n"
        )
        requests.append((head.encode() + body, BATCH))
        if i < 2 * BODIES:  # the rows the server would write for this request (search words encrypted)
            valid = batch_validate(batches[i % BODIES], now=now, known_products=known).rows
            assert len(valid) == BATCH, "a bench batch holds an invalid event"
            device = device_class(visitor.user_agent)
            rows.append([tracking_services._row_values(row, visitor=visitor.pseudonym, device=device) for row in valid])
    return Workload(requests=requests, rows=rows)


# ---------------------------------------------------------------------------------------------------------------
# The plain bulk insert, in this process: the floor of the ingestion rows.


@dataclass(frozen=True)
class BulkSlice:
    seconds: float
    latencies: list[float]  # one per batch of 50 rows
    cpu_ms: dict[str, float]


class Bulk:
    def __init__(self, method: str, rows: list[list[tuple[object, ...]]]) -> None:
        from allbuy.tracking import services as tracking_services

        self.method = method
        self.rows = rows
        self.index = 0
        # The very statements events_store runs: COPY … FROM STDIN on PostgreSQL, INSERT … executemany.
        self.insert: Callable[[Sequence[tuple[object, ...]]], None] = (
            tracking_services._copy if method == "copy" else tracking_services._insert_many
        )

    def run(self, seconds: float, meter: CpuMeter) -> BulkSlice:
        from allbuy.tracking.services import events_transaction

        latencies = []
        meter.start()
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            values = self.rows[self.index % len(self.rows)]
            self.index += 1
            began = time.perf_counter()
            with events_transaction():  # one transaction per batch, committed as the endpoint commits its batch
                self.insert(values)
            latencies.append(time.perf_counter() - began)
        elapsed = time.perf_counter() - started
        return BulkSlice(seconds=elapsed, latencies=latencies, cpu_ms=meter.stop())


# ---------------------------------------------------------------------------------------------------------------
# Measuring: slices alternating in ABBA order, as bench/http_load.py does.


def _http_slice(port: int, requests: Requests, seconds: float, connections: int, max_requests: int) -> HttpSlice:
    meter = CpuMeter(port)
    meter.start()
    started = time.perf_counter()
    tally = asyncio.run(_drive(port, requests, seconds=seconds, connections=connections, max_requests=max_requests))
    elapsed = max((tally.last_done or time.perf_counter()) - started, 1e-9)
    return HttpSlice(
        seconds=elapsed,
        latencies=tally.latencies,
        non_2xx=tally.non_2xx,
        socket_errors=tally.socket_errors,
        sent=tally.sent,
        accepted=tally.accepted,
        dropped=tally.dropped,
        problems=tally.problems,
        cpu_ms=meter.stop(),
    )


def _http_step(
    port: int, requests: Requests, out: list[HttpSlice], *, seconds: float, connections: int, max_requests: int
) -> Callable[[], None]:
    return lambda: out.append(_http_slice(port, requests, seconds, connections, max_requests))


def _bulk_step(bulk: Bulk, out: list[BulkSlice], *, seconds: float, meter: CpuMeter) -> Callable[[], None]:
    return lambda: out.append(bulk.run(seconds, meter))


def _alternate(rounds: int, steps: list[Callable[[], None]]) -> None:
    """Run `steps` once per round, in reverse order every other round (ABBA): a trend weighs on each alike."""
    for index in range(rounds):
        for step in steps if index % 2 == 0 else reversed(steps):
            step()


def _cpu_per(slices: Sequence[HttpSlice | BulkSlice], units: int, per: int = 1000) -> dict[str, float]:
    roles = ("web", "postgres", "client", "other")
    return {role: round(sum(s.cpu_ms[role] for s in slices) / units * per, 1) if units else 0.0 for role in roles}


def _bulk_row(name: str, slices: list[BulkSlice], *, ratio: float, method: str) -> dict[str, Any]:
    latencies = sorted(t for s in slices for t in s.latencies)
    seconds = sum(s.seconds for s in slices)
    rows = len(latencies) * BATCH
    return {
        "name": name,
        "rps": rows / seconds if seconds else 0.0,
        "p50_ms": percentile_ms(latencies, 50),
        "p99_ms": percentile_ms(latencies, 99),
        "ratio_to_floor": ratio,
        "details": {
            "unit": "rows/s",
            "method": method,
            "rows": rows,
            "batch": BATCH,
            "slices": len(slices),
            "cpu_ms_per_1000_rows": _cpu_per(slices, rows),
        },
    }


def _rate(slices: Sequence[BulkSlice]) -> float:
    seconds = sum(s.seconds for s in slices)
    return sum(len(s.latencies) for s in slices) * BATCH / seconds if seconds else 0.0


def _ingest_row(
    name: str, slices: list[HttpSlice], floors: dict[str, list[BulkSlice]], *, connections: int, floor_method: str
) -> dict[str, Any]:
    latencies = sorted(t for s in slices for t in s.latencies)
    seconds = sum(s.seconds for s in slices)
    accepted = sum(s.accepted for s in slices)
    sent = sum(s.sent for s in slices)
    dropped: Counter[str] = Counter()
    for s in slices:
        dropped.update(s.dropped)
    events_per_second = accepted / seconds if seconds else 0.0
    floor_rates = {method: _rate(bulk) for method, bulk in floors.items()}
    floor = floor_rates[floor_method]
    # Per round: this round's HTTP events/s over the bulk insert's rows/s of the same round (the noise of the ratio).
    ratios = [(s.accepted / s.seconds) / _rate([b]) for s, b in zip(slices, floors[floor_method], strict=True) if _rate([b])]
    cpu = _cpu_per(slices, accepted)
    spent = cpu["web"] + cpu["postgres"] + cpu["client"]
    errors = [p for s in slices for p in s.problems]
    non_2xx = sum(s.non_2xx for s in slices)
    socket_errors = sum(s.socket_errors for s in slices)
    if non_2xx:
        errors.insert(0, f"{non_2xx} of {len(latencies)} batches were not answered 2xx")
    if socket_errors:
        errors.insert(0, f"{socket_errors} socket errors")
    if accepted != sent:
        errors.insert(0, f"{accepted} events accepted of {sent} sent ({dict(dropped)})")
    return {
        "name": name,
        "rps": events_per_second,
        "p50_ms": percentile_ms(latencies, 50),
        "p99_ms": percentile_ms(latencies, 99),
        "ratio_to_floor": events_per_second / floor if floor else 0.0,
        "details": {
            "unit": "events/s",
            "url": "/events/batch",
            "connections": connections,
            "workers": WORKERS,
            "batch": BATCH,
            "visitors": VISITORS,
            "batches_per_second": round(len(latencies) / seconds, 1) if seconds else 0.0,
            "requests": len(latencies),
            "events_sent": sent,
            "events_accepted": accepted,
            "dropped": dict(dropped),
            "non_2xx": non_2xx,
            "socket_errors": socket_errors,
            "floor": f"{floor_method}, batches of {BATCH}",
            "floor_rps": floor,
            **{f"{method}_rows_per_second": round(rate, 1) for method, rate in floor_rates.items()},
            **{f"ratio_to_{method}": round(events_per_second / rate, 3) for method, rate in floor_rates.items() if rate},
            "ratio_cv": statistics.pstdev(ratios) / statistics.mean(ratios) if ratios and statistics.mean(ratios) else 0.0,
            # CPU milliseconds per 1,000 events of the web workers, PostgreSQL, this client, and everything else on the
            # machine meanwhile; with 2 cores, events/s can never exceed 2,000,000 / (web + postgres + client).
            "cpu_ms_per_1000_events": cpu,
            "cpu_ceiling_events_per_second": round(2_000_000 / spent) if spent else None,
            "generator": "asyncio",
        },
        "error": "; ".join(errors[:3]) or None,
    }


def ingestion_measure(
    port: int, database: str, workload: Workload, *, duration: float, slice_seconds: float, max_requests: int
) -> list[dict[str, Any]]:
    methods = ("copy", "executemany") if database == "postgresql" else ("executemany",)
    prefix = "pg" if database == "postgresql" else "sqlite"
    bulks = {method: Bulk(method, workload.rows) for method in methods}
    meter = CpuMeter(None)
    requests = Requests(workload.requests, events=True)
    rounds = max(1, math.ceil(duration / slice_seconds))
    rows: list[dict[str, Any]] = []
    all_floors: dict[str, list[BulkSlice]] = {method: [] for method in methods}
    # Warm-up: both workers import, connect, create today's partition and fill their caches.
    _http_slice(port, requests, min(1.0, slice_seconds), CONCURRENCY[0], max_requests)
    for bulk in bulks.values():
        bulk.run(0.3, meter)
    for connections in CONCURRENCY:
        shown = ", ".join(methods)
        say(f"{database}: {rounds} × {slice_seconds:g} s of batches at {connections} connections, alternating with {shown}")
        http: list[HttpSlice] = []
        floors: dict[str, list[BulkSlice]] = {method: [] for method in methods}

        steps = [_http_step(port, requests, http, seconds=slice_seconds, connections=connections, max_requests=max_requests)]
        steps += [_bulk_step(bulks[method], floors[method], seconds=slice_seconds / 2, meter=meter) for method in methods]
        _alternate(rounds, steps)
        rows.append(_ingest_row(f"{prefix}_http_c{connections}", http, floors, connections=connections, floor_method=methods[0]))
        for method in methods:
            all_floors[method].extend(floors[method])
    first = _rate(all_floors[methods[0]])
    floor_rows = [
        _bulk_row(f"{prefix}_{method}", slices, ratio=_rate(slices) / first if first else 0.0, method=method)
        for method, slices in all_floors.items()
    ]
    return floor_rows + rows


# ---------------------------------------------------------------------------------------------------------------
# Recommendations on pages.


@dataclass(frozen=True)
class PagePlan:
    with_recs: str  # product page paths
    without_recs: str
    personal_cookie: str


def _synthetic_events_store(now: datetime) -> int:
    """Store a synthetic stream of shopping over the demo catalog (the last week), as the ingestion would."""
    from allbuy.catalog.models import Product
    from allbuy.personalisation.synthetic import events_generate
    from allbuy.tracking.ingest import EventRow
    from allbuy.tracking.services import events_store

    catalog = list(Product.objects.filter(is_active=True).order_by("id").values_list("id", "brand_id", "category_id"))
    start = int((now - timedelta(days=SYNTHETIC_DAYS)).timestamp())
    stream = events_generate(catalog=catalog, events=SYNTHETIC_EVENTS, start=start, days=SYNTHETIC_DAYS, seed=11)
    by_visitor: dict[str, list[EventRow]] = {}
    for visitor, seconds, kind, product_id in stream:
        moment = datetime.fromtimestamp(seconds, tz=now.tzinfo)
        if moment > now:
            continue
        row = EventRow(moment.date(), moment, kind, product_id, f"/products/{product_id}/", "", "", 0, None, None, None)
        by_visitor.setdefault(visitor, []).append(row)
    stored = 0
    for visitor, rows in by_visitor.items():
        for day in sorted({row.day for row in rows}):  # events_store writes one batch per request's day
            stored += events_store([row for row in rows if row.day == day], visitor=visitor, device=0)
    return stored


def pages_prepare(now: datetime) -> PagePlan | str:
    """Build neighbours from synthetic events and a consenting visitor with events; a string says why not."""
    if importlib.util.find_spec("allbuy.personalisation.services") is None:
        return "allbuy.personalisation.services is not in the tree yet (recommendations_rebuild); recommendation rows skipped"
    from django.db.models import Count

    from allbuy.catalog.models import Product
    from allbuy.personalisation import services as personalisation_services
    from allbuy.personalisation.models import Neighbour
    from allbuy.tracking.consent import visitor_pseudonym
    from allbuy.tracking.ingest import EventRow
    from allbuy.tracking.models import EventKind
    from allbuy.tracking.services import events_store

    rebuild = getattr(personalisation_services, "recommendations_rebuild", None)
    if rebuild is None:
        return "allbuy.personalisation.services has no recommendations_rebuild yet; recommendation rows skipped"
    stored = _synthetic_events_store(now)
    started = time.perf_counter()
    rebuild(full=True)
    say(f"recommendations_rebuild(full=True) over {stored:,} synthetic events took {time.perf_counter() - started:.1f} s")
    counted = (
        Neighbour.objects.filter(product__is_active=True, neighbour__is_active=True)
        .values("product_id")
        .annotate(kinds=Count("kind", distinct=True), n=Count("id"))
        .order_by("-kinds", "-n", "product_id")
    )
    best = counted.first()
    if best is None:
        return "recommendations_rebuild(full=True) made no neighbours from the synthetic events; recommendation rows skipped"
    with_recs = Product.objects.annotate(variant_count=Count("variants")).get(pk=best["product_id"])
    # The comparable page: a product of the same category with as many variants, its neighbours removed.
    twin = (
        Product.objects.filter(is_active=True, category_id=with_recs.category_id)
        .exclude(pk=with_recs.pk)
        .annotate(variant_count=Count("variants"))
        .order_by("id")
    )
    candidates = sorted(twin, key=lambda p: (abs(p.variant_count - with_recs.variant_count), p.pk))
    if not candidates:
        return f"no other active product in the category of {with_recs.slug}; recommendation rows skipped"
    without_recs = candidates[0]
    Neighbour.objects.filter(product=without_recs).delete()
    # The consenting visitor of the home page has looked at a few products with neighbours in the last hour.
    recent = [row["product_id"] for row in counted[:5]]
    events = [
        EventRow(now.date(), now - timedelta(minutes=5 * i + 1), EventKind.PRODUCT_VIEW, pk, "/", "", "", 0, None, None, None)
        for i, pk in enumerate(recent)
    ]
    events_store(events, visitor=visitor_pseudonym(PERSONAL_VISITOR_ID), device=0)
    return PagePlan(
        with_recs=f"/products/{with_recs.slug}/",
        without_recs=f"/products/{without_recs.slug}/",
        personal_cookie=consenting_cookie(PERSONAL_VISITOR_ID, (now - timedelta(days=1)).replace(microsecond=0)),
    )


def _get(port: int, path: str, cookie: str = "") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def _get_request(port: int, path: str, cookie: str = "") -> bytes:
    cookies = f"Cookie: {cookie}\r\n" if cookie else ""
    agent = USER_AGENTS[0]
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {agent}\r\nAccept: text/html\r\n{cookies}\r\n".encode()


def _page_check(port: int, plan: PagePlan) -> tuple[dict[str, list[str]], dict[tuple[str, str], int]]:
    """Check that each page answers 200 and shows what it is meant to.

    Return the problems by the row they invalidate, and each body's size.
    """
    from allbuy.personalisation.selectors import TITLE_PERSONAL, TITLE_POPULAR

    recommended = ("Customers also viewed", "Bought together")
    problems: dict[str, list[str]] = {}
    sizes = {}
    checks = [
        ("product_with_recs", plan.with_recs, "", lambda html: any(t in html for t in recommended), "no recommendations"),
        ("product_with_recs", plan.without_recs, "", lambda html: not any(t in html for t in recommended), "recommendations"),
        ("home_personal", "/", plan.personal_cookie, lambda html: TITLE_PERSONAL in html, f"no “{TITLE_PERSONAL}”"),
        ("home_personal", "/", "", lambda html: TITLE_PERSONAL not in html and TITLE_POPULAR in html, f"no “{TITLE_POPULAR}”"),
    ]
    for row, path, cookie, good, wrong in checks:
        status, html = _get(port, path, cookie)
        sizes[path, cookie] = len(html.encode())
        if status != 200:
            problems.setdefault(row, []).append(f"GET {path} answered {status}")
        elif not good(html):
            problems.setdefault(row, []).append(f"GET {path}{' (consenting visitor)' if cookie else ''} shows {wrong}")
    return problems, sizes


def _page_row(
    name: str, slices: list[HttpSlice], floor: list[HttpSlice] | None, *, path: str, note: str, size: int
) -> dict[str, Any]:
    latencies = sorted(t for s in slices for t in s.latencies)
    seconds = sum(s.seconds for s in slices)
    rps = len(latencies) / seconds if seconds else 0.0
    details: dict[str, Any] = {"url": path, "visitor": note, "bytes": size, "requests": len(latencies), "generator": "asyncio"}
    ratio = 1.0
    if floor is not None:
        floor_rps = sum(len(s.latencies) for s in floor) / sum(s.seconds for s in floor)
        ratio = rps / floor_rps if floor_rps else 0.0
        ratios = [(len(a.latencies) / a.seconds) / (len(b.latencies) / b.seconds) for a, b in zip(slices, floor, strict=True)]
        details |= {"floor_rps": floor_rps, "ratio_cv": statistics.pstdev(ratios) / statistics.mean(ratios)}
    non_2xx = sum(s.non_2xx for s in slices)
    socket_errors = sum(s.socket_errors for s in slices)
    details |= {"non_2xx": non_2xx, "socket_errors": socket_errors}
    problems = [p for s in slices for p in s.problems]
    error = None
    if non_2xx or socket_errors:
        error = f"{non_2xx} non-2xx, {socket_errors} socket errors of {len(latencies)} requests {problems[:1]}"
    return {
        "name": name,
        "rps": rps,
        "p50_ms": percentile_ms(latencies, 50),
        "p99_ms": percentile_ms(latencies, 99),
        "ratio_to_floor": ratio,
        "details": details,
        "error": error,
    }


def pages_measure(
    port: int, plan: PagePlan, *, duration: float, slice_seconds: float, connections: int, max_requests: int
) -> list[dict[str, Any]]:
    problems, sizes = _page_check(port, plan)
    pairs = (
        ("product_without_recs", plan.without_recs, "", "product_with_recs", plan.with_recs, ""),
        ("home_anonymous", "/", "", "home_personal", "/", plan.personal_cookie),
    )
    rounds = max(1, math.ceil(duration / slice_seconds))
    rows = []
    for base_name, base_path, base_cookie, name, path, cookie in pairs:
        base = Requests([(_get_request(port, base_path, base_cookie), 0)], events=False)
        page = Requests([(_get_request(port, path, cookie), 0)], events=False)
        for requests in (base, page):  # warm both workers' caches
            _http_slice(port, requests, 1.0, connections, max_requests)
        say(f"pages: {rounds} × {slice_seconds:g} s of {path} ({name}) alternating with {base_path} ({base_name})")
        base_slices: list[HttpSlice] = []
        page_slices: list[HttpSlice] = []
        _alternate(
            rounds,
            [
                _http_step(port, base, base_slices, seconds=slice_seconds, connections=connections, max_requests=max_requests),
                _http_step(port, page, page_slices, seconds=slice_seconds, connections=connections, max_requests=max_requests),
            ],
        )
        personal = "consenting, with events" if cookie else "anonymous"
        rows.append(_page_row(base_name, base_slices, None, path=base_path, note="anonymous", size=sizes[base_path, base_cookie]))
        row = _page_row(name, page_slices, base_slices, path=path, note=personal, size=sizes[path, cookie])
        if problems.get(name):
            row["error"] = "; ".join(problems[name])
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.events_run")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), required=True)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--slice", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=8, help="connections of the page rows")
    parser.add_argument("--max-requests", type=int, default=500_000)
    parser.add_argument("--no-ingest", action="store_true", help="skip the ingestion rows")
    parser.add_argument("--pages", action="store_true", help="measure the recommendation rows (PostgreSQL)")
    arguments = parser.parse_args(argv)
    # The suite stops this worker with SIGTERM (a timeout, its own SIGTERM): unwind, so gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres" if arguments.database == "postgresql" else "sqlite"):
        print(f"bench.events_run: DATABASE_URL must name a {arguments.database} database", file=sys.stderr)
        return 2
    django_ready()
    from django.conf import settings
    from django.db import connection

    from allbuy.core import clock

    shop = _prepare(arguments.database)
    now = clock.now()
    rng = random.Random(20261204)
    visitors = _visitors(rng, now)
    plan = pages_prepare(now) if arguments.pages else None
    skipped = [plan] if isinstance(plan, str) else []
    for reason in skipped:
        say(reason)
    serving = gunicorn_serving(
        root=ROOT,
        settings_module=SETTINGS_MODULE,
        workers=WORKERS,
        ready_path=FLOOR_PATH,
        log_path=settings.VAR_DIR / f"bench-events-{arguments.database}-gunicorn.log",
    )
    rows: list[dict[str, Any]] = []
    with serving as base:
        port = int(base.rsplit(":", 1)[1])
        # Pages first: stored events make each web worker rebuild the recommendations (without a broker, at most
        # every ALLBUY_RECOMMENDATIONS_EMBEDDED_REBUILD_SECONDS), which would give the page without any its own.
        if isinstance(plan, PagePlan):
            rows += pages_measure(
                port,
                plan,
                duration=arguments.duration,
                slice_seconds=arguments.slice,
                connections=arguments.connections,
                max_requests=arguments.max_requests,
            )
        if not arguments.no_ingest:
            workload = _workload(port, shop, visitors, now, rng)
            rows[:0] = ingestion_measure(
                port,
                arguments.database,
                workload,
                duration=arguments.duration,
                slice_seconds=arguments.slice,
                max_requests=arguments.max_requests,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE tracking_event")  # a run writes millions of rows: leave the disk as it was
    result = {
        "database": arguments.database,
        "vendor_version": _server_version(),
        "rows": rows,
        "skipped": skipped,
        "events_per_visitor_per_minute": settings.ALLBUY_EVENTS_PER_VISITOR_PER_MINUTE,
    }
    print(json.dumps(result, default=str))
    return 0


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


if __name__ == "__main__":
    sys.exit(main())
