"""Structured access logs with no personal data: one JSON line per request, truncated IPs, daily files, retention.

A line holds the time, a request id, method, path (never the query string, which can carry search words or an
email address), the matched route, status, duration, size, the client's network (IPv4 /24, IPv6 /48), the device
class and whether a customer was signed in, and nothing else: no cookies, no User-Agent, no Referer, no user id.

The path is logged with every value its URL pattern captures replaced by `{name}` (`/orders/{number}/`,
`/accounts/confirm-email/{key}/`), except the public catalog identifiers in `PUBLIC_URL_KWARGS`: order numbers,
confirmation and reset keys, cart ids and shipment ids are secrets or link a line to a person. The captures are
found by resolving the path again as Django does, so a request that never reached its view (an APPEND_SLASH
redirect, a lockout) is redacted too. A path no pattern matches (a 404) is logged as is only when it is short,
with any token-like segment (20+ characters mixing letters and digits) replaced by `{token}` and any segment
holding an `@` by `{email}`.

Lines go to `access-YYYY-MM-DD.jsonl` (UTC day) in `ALLBUY_ACCESS_LOG_DIR`, or to standard output with `-`.
The file writer is written by hand because no library does what gunicorn needs: several worker *processes*
append to the same daily file (logging's TimedRotatingFileHandler renames files under the other processes' feet
and loses or mixes lines). Here each process opens the day's file with O_APPEND and writes each line with one
`os.write`, which the kernel appends atomically, and opens the next day's file when the day changes; nothing
is ever renamed. Retention is a separate job (`access_logs_purge`) that deletes whole days.

Every request gets an id (`request.request_id`, the `X-Request-ID` response header, and `request_id` on every
application log record emitted while it is served, through `RequestIdFilter`). An incoming `X-Request-ID` is kept
only behind a proxy (`ALLBUY_TRUSTED_PROXIES` > 0), which sets it; without one the header comes from the client,
who could write anything (a name) into the log with it, so a new id is made.
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
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, get_urlconf
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

# URL captures logged as they are: public catalog identifiers (product, category and brand slugs; policy versions).
PUBLIC_URL_KWARGS = frozenset({"slug", "version"})
UNMATCHED_PATH_MAX = 100  # a longer path that matches no pattern is logged as "/<first segment>/{long}"
_TOKEN_MIN_LENGTH = 20

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
    """Return the incoming X-Request-ID when a trusted proxy set it and it looks like an id, else a new one.

    Only with `ALLBUY_TRUSTED_PROXIES` > 0 (a proxy in front sets the header) and only 8–64 of A-Z a-z 0-9 . _ -;
    without a proxy the header is the client's own text, which must not reach the log.
    """
    if int(getattr(settings, "ALLBUY_TRUSTED_PROXIES", 0)) > 0:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        if incoming and REQUEST_ID_PATTERN.fullmatch(incoming):
            return incoming
    return uuid.uuid4().hex


class _Unmappable(Exception):
    """The captures of a pattern that matched could not be located in the path (never expected)."""


Capture = tuple[str, int, int]  # the capture's name ("arg" for an unnamed group), start and end in the path


def _group_spans(pattern: object, path: str, consumed: int, offset: int) -> list[Capture]:
    """Where the groups of `pattern`, which matched the first `consumed` characters of `path`, lie."""
    regex = getattr(pattern, "regex", None)
    if regex is None or regex.groups == 0:
        return []
    found = regex.search(path)  # RoutePattern and most RegexPatterns; endpoint regexes ending in $ use fullmatch
    if found is None or found.end() != consumed:
        found = regex.fullmatch(path)
    if found is None or found.end() != consumed:
        raise _Unmappable
    if regex.groupindex:  # as Django does: with named groups, unnamed ones are not captures
        groups = [(name, index) for name, index in regex.groupindex.items()]
    else:
        groups = [("arg", index) for index in range(1, regex.groups + 1)]
    spans = []
    for name, index in groups:
        start, end = found.span(index)
        if start < end:  # (-1, -1) for a group that took no part; an empty capture hides nothing
            spans.append((name, offset + start, offset + end))
    return spans


def _captures(entry: URLPattern | URLResolver, path: str, offset: int = 0) -> list[Capture] | None:
    """The captures made resolving `path` through `entry` exactly as Django resolves it, or None if nothing matches."""
    matched = entry.pattern.match(path)
    if not matched:
        return None
    rest = matched[0]
    consumed = len(path) - len(rest)
    here = _group_spans(entry.pattern, path, consumed, offset)
    if isinstance(entry, URLPattern):
        return here
    for sub in entry.url_patterns:
        below = _captures(sub, rest, offset + consumed)
        if below is not None:
            return here + below
    return None


def _redact(path: str, captures: list[Capture]) -> str:
    """`path` with every capture not in PUBLIC_URL_KWARGS replaced by `{name}` (overlapping ones merged)."""
    hidden = sorted((start, end, name) for name, start, end in captures if name not in PUBLIC_URL_KWARGS)
    merged: list[tuple[int, int, str]] = []
    for start, end, name in hidden:
        if merged and start < merged[-1][1]:  # nested or overlapping groups: one placeholder for both
            first_start, first_end, first_name = merged[-1]
            merged[-1] = (first_start, max(first_end, end), first_name)
        else:
            merged.append((start, end, name))
    parts, position = [], 0
    for start, end, name in merged:
        parts += [path[position:start], "{" + name + "}"]
        position = end
    parts.append(path[position:])
    return "".join(parts)


def _segment_mask(segment: str) -> str:
    if "@" in segment:
        return "{email}"
    if len(segment) >= _TOKEN_MIN_LENGTH and any(c.isdigit() for c in segment) and any(c.isalpha() for c in segment):
        return "{token}"
    return segment


def _unmatched(path: str) -> str:
    """A path no URL pattern matches: token-like and email segments masked, and only its start if it is long."""
    segments = [_segment_mask(segment) for segment in path.split("/")]
    masked = "/".join(segments)
    if len(masked) <= UNMATCHED_PATH_MAX:
        return masked
    first = segments[1] if len(segments) > 1 else ""
    return f"/{first}/{{long}}" if first and len(first) <= 32 else "/{long}"


def path_for_log(request: HttpRequest) -> str:
    """The request's path as the access log writes it: captured URL values replaced by `{name}`, see the module."""
    path_info = request.path_info
    prefix = request.path[: len(request.path) - len(path_info)] if request.path.endswith(path_info) else ""
    match = request.resolver_match
    if match is not None and not match.args and PUBLIC_URL_KWARGS.issuperset(match.kwargs):
        return request.path  # nothing to hide (most pages): no second resolve
    resolver = get_resolver(getattr(request, "urlconf", None) or get_urlconf())
    try:
        captures = _captures(resolver, path_info)
        if captures is None and not path_info.endswith("/"):  # what CommonMiddleware redirects to
            captures = _captures(resolver, path_info + "/")
            if captures is not None:
                captures = [(n, s, min(e, len(path_info))) for n, s, e in captures if s < len(path_info)]
    except (_Unmappable, Resolver404):
        captures = None
    if captures is not None:
        return prefix + _redact(path_info, captures)
    if match is not None:  # matched, but its captures cannot be placed: the route names them without their values
        return "/" + match.route
    return _unmatched(request.path)


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

    Per request: one clock read, one `json.dumps`, one write; no query (see `_authenticated`). A second URL
    resolve only for the paths that capture something to hide or match nothing (see `path_for_log`).
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
            self._log(self.sink, request, response, request_id, started_at, time.perf_counter() - started)
        return response

    def _log(
        self, sink: Sink, request: HttpRequest, response: HttpResponseBase, request_id: str, at: datetime, seconds: float
    ) -> None:
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
            "path": path_for_log(request),  # never the query string; captured ids and keys as {name}
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
            sink.write(line, at.date())
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
