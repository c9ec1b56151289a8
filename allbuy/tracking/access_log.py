"""Structured access logs with no personal data: one JSON line per request, truncated IPs, daily files, retention.

A line holds the time, a request id, method, path (never the query string, which can carry search words or an
email address), the matched route, status, duration, size, the client's network (IPv4 /24, IPv6 /48), the device
class and whether a customer was signed in, and nothing else: no cookies, no User-Agent, no Referer, no user id.

Lines go to `access-YYYY-MM-DD.jsonl` (UTC day) in `ALLBUY_ACCESS_LOG_DIR`, or to standard output with `-`.
The file writer is written by hand because no library does what gunicorn needs: several worker *processes*
append to the same daily file (logging's TimedRotatingFileHandler renames files under the other processes' feet
and loses or mixes lines). Here each process opens the day's file with O_APPEND and writes each line with one
`os.write`, which the kernel appends atomically, and opens the next day's file when the day changes; nothing
is ever renamed. Retention is a separate job (`access_logs_purge`) that deletes whole days.

Every request gets an id (`request.request_id`, the `X-Request-ID` response header, and `request_id` on every
application log record emitted while it is served, through `RequestIdFilter`).
"""

from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import empty

from allbuy.core import clock
from allbuy.core.net import client_ip

# Nothing here imports models at import time: LOGGING loads RequestIdFilter before the app registry is ready.

logger = logging.getLogger(__name__)

STDOUT = "-"
FILE_PATTERN = re.compile(r"^access-(\d{4}-\d{2}-\d{2})\.jsonl$")
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{8,64}")
_IPV4_NETWORK_MASK = ~0xFF & 0xFFFFFFFF  # keep /24
_IPV6_NETWORK_MASK = ~((1 << 80) - 1) & ((1 << 128) - 1)  # keep /48

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("allbuy_request_id", default="-")


def ip_truncate(address: str) -> str:
    """Return the network of an address: IPv4 to /24, IPv6 to /48 (IPv4-mapped IPv6 as IPv4); "" if unparsable."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is None:
            return str(ipaddress.IPv6Address(int(ip) & _IPV6_NETWORK_MASK))
        ip = ip.ipv4_mapped
    return str(ipaddress.IPv4Address(int(ip) & _IPV4_NETWORK_MASK))


def request_id_for(request: HttpRequest) -> str:
    """Return the incoming X-Request-ID when it looks like an id (8–64 of A-Z a-z 0-9 . _ -), else a new one."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if incoming and REQUEST_ID_PATTERN.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str:
    """Return the id of the request being served in this context, or "-" outside a request."""
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (the current request's id, "-" outside requests) to every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class DailyFile:
    """Appends lines to `access-YYYY-MM-DD.jsonl` in a directory, safely from several processes and threads."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._day: date | None = None
        self._fd: int | None = None
        self._lock = threading.Lock()

    def path_for(self, day: date) -> Path:
        return self.directory / f"access-{day.isoformat()}.jsonl"

    def write(self, line: bytes, day: date) -> None:
        """Append one whole line (ending in a newline) to the file of `day` with a single `os.write`."""
        with self._lock:  # threads of one process (runserver) share the descriptor, which changes at midnight
            if day != self._day or self._fd is None:
                self._open(day)
            assert self._fd is not None
            os.write(self._fd, line)

    def _open(self, day: date) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path_for(day), os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o640)
        self.close()
        self._fd, self._day = fd, day

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd, self._day = None, None

    def __del__(self) -> None:
        self.close()


class StandardOutput:
    """Writes each line to standard output with one `os.write` (container platforms collect it)."""

    def write(self, line: bytes, day: date) -> None:
        os.write(1, line)


Sink = DailyFile | StandardOutput


def sink_from_setting(value: str) -> Sink | None:
    """The writer `ALLBUY_ACCESS_LOG_DIR` asks for: a directory, "-" for standard output, "" for none."""
    if not value:
        return None
    if value == STDOUT:
        return StandardOutput()
    return DailyFile(Path(value))


def _authenticated(request: HttpRequest) -> bool:
    """Whether a customer was signed in, without ever paying for a session read or a user query to find out."""
    user = getattr(request, "user", None)
    if user is None:
        return False
    wrapped = getattr(user, "_wrapped", user)  # AuthenticationMiddleware's SimpleLazyObject
    if wrapped is not empty:
        return bool(wrapped.is_authenticated)
    # Nothing looked at the user: a session that is already loaded still tells, an unloaded one is left alone.
    session = getattr(request, "session", None)
    if session is not None and hasattr(session, "_session_cache"):
        return SESSION_KEY in session
    return False


class AccessLogMiddleware:
    """First in MIDDLEWARE: gives each request its id and writes its access-log line, 500s included.

    Per request: one clock read, one `json.dumps`, one write; no query (see `_authenticated`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        from allbuy.tracking.devices import device_class
        from allbuy.tracking.models import DeviceClass

        self.get_response = get_response
        self.sink = sink_from_setting(getattr(settings, "ALLBUY_ACCESS_LOG_DIR", ""))
        self._device_class = device_class
        self._device_labels = {int(choice): str(choice.label) for choice in DeviceClass}

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        started_at = clock.now()
        started = time.perf_counter()
        try:
            # Every middleware below, and the view, turn exceptions into responses (500 included), so this returns.
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        if self.sink is not None:
            self._log(request, response, request_id, started_at, time.perf_counter() - started)
        return response

    def _log(self, request: HttpRequest, response: HttpResponseBase, request_id: str, at: datetime, seconds: float) -> None:
        at = at.astimezone(UTC)
        match = request.resolver_match
        header = response.get("Content-Length")
        length: int | None = int(header) if header is not None and header.isdigit() else None
        if length is None and not response.streaming:
            length = len(response.content)  # type: ignore[attr-defined]
        entry = {
            "ts": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "request_id": request_id,
            "method": request.method,
            "path": request.path,  # never the query string or the full URL
            "route": match.view_name if match is not None else "",
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "bytes": length,
            "ip": ip_truncate(client_ip(request)),
            "device": self._device_labels.get(self._device_class(request.META.get("HTTP_USER_AGENT", "")), "unknown"),
            "authenticated": _authenticated(request),
        }
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
        try:
            assert self.sink is not None
            self.sink.write(line, at.date())
        except OSError:
            # A full disk or a missing directory must not turn into failed requests: say so and carry on.
            logger.warning("access log line could not be written", exc_info=True)


def access_logs_purge(*, now: datetime, days: int, directory: Path | str | None = None) -> int:
    """Delete the `access-YYYY-MM-DD.jsonl` files of days more than `days` days before `now`'s UTC day.

    Only files named so are touched, never anything else in the directory. Returns how many were deleted.
    `directory` defaults to `ALLBUY_ACCESS_LOG_DIR`; with "-" (standard output) or "" there is nothing to purge.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    folder = str(directory if directory is not None else getattr(settings, "ALLBUY_ACCESS_LOG_DIR", ""))
    if folder in ("", STDOUT) or not os.path.isdir(folder):
        return 0
    oldest_kept = now.astimezone(UTC).date() - timedelta(days=days)
    deleted = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            match = FILE_PATTERN.match(entry.name)
            if match is None or not entry.is_file(follow_symlinks=False):
                continue
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                continue  # access-2024-13-45.jsonl is not ours
            if day < oldest_kept:
                try:
                    os.unlink(entry.path)
                except FileNotFoundError:
                    continue  # another purge got there first
                deleted += 1
    return deleted
