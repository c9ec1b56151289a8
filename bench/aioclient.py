"""A small HTTP/1.1 load generator on asyncio, used when wrk is not installed.

Each of N connections sends one GET at a time and reuses its connection while the server keeps it
open (gunicorn's sync workers close it after every response, as they would for wrk). A request's
latency runs from the moment the client wants to send it, connecting included, to the last body byte.
The run stops at the deadline or after `max_requests`, whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.load import LoadResult, percentile_ms

_TIMEOUT_SECONDS = 5.0


@dataclass
class _Tally:
    remaining: int
    latencies: list[float] = field(default_factory=list)
    non_2xx: int = 0
    socket_errors: int = 0
    last_done: float = 0.0

    def take(self) -> bool:
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True


class AsyncioClient:
    name = "asyncio"

    def __call__(self, url: str, *, duration: float, connections: int, max_requests: int) -> LoadResult:
        return asyncio.run(_drive(url, duration=duration, connections=connections, max_requests=max_requests))


async def _drive(url: str, *, duration: float, connections: int, max_requests: int) -> LoadResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: allbuy-bench\r\nAccept: */*\r\n\r\n".encode()
    tally = _Tally(remaining=max_requests)
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(_connection(host, port, request, deadline, tally) for _ in range(connections)))
    seconds = max(tally.last_done - started, 1e-9)
    latencies = sorted(tally.latencies)
    return LoadResult(
        generator="asyncio",
        requests=len(latencies),
        seconds=seconds,
        rps=len(latencies) / seconds,
        p50_ms=percentile_ms(latencies, 50),
        p99_ms=percentile_ms(latencies, 99),
        non_2xx=tally.non_2xx,
        socket_errors=tally.socket_errors,
    )


async def _connection(host: str, port: int, request: bytes, deadline: float, tally: _Tally) -> None:
    stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    try:
        while time.perf_counter() < deadline and tally.take():
            began = time.perf_counter()
            try:
                if stream is None:
                    stream = await asyncio.wait_for(asyncio.open_connection(host, port), _TIMEOUT_SECONDS)
                reader, writer = stream
                writer.write(request)
                status, keep_alive = await asyncio.wait_for(_response_read(reader), _TIMEOUT_SECONDS)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                tally.socket_errors += 1
                await _close(stream)
                stream = None
                await asyncio.sleep(0.01)  # a refused or reset connection must not become a busy loop
                continue
            tally.last_done = time.perf_counter()
            tally.latencies.append(tally.last_done - began)
            if not 200 <= status < 300:
                tally.non_2xx += 1
            if not keep_alive:
                await _close(stream)
                stream = None
    finally:
        await _close(stream)


async def _response_read(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the connection may carry another request."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    version, status_text = head[0].split(" ", 2)[:2]
    status = int(status_text)
    headers = {}
    for line in head[1:]:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip().lower()
    keep_alive = headers.get("connection") != "close" if version == "HTTP/1.1" else headers.get("connection") == "keep-alive"
    if status in (204, 304) or 100 <= status < 200:
        return status, keep_alive
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
            pass
    else:
        await reader.read()  # the body runs to the end of the connection
        keep_alive = False
    return status, keep_alive


async def _close(stream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
    if stream is not None:
        stream[1].close()
        with contextlib.suppress(OSError):
            await stream[1].wait_closed()
