"""Drive a URL with wrk (Debian's `wrk` package) and read its report."""

from __future__ import annotations

import math
import re
import subprocess

from bench.load import LoadResult
from bench.registry import SetupError

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TIME = r"([\d.]+)(us|ms|s|m|h)"


class Wrk:
    name = "wrk"

    def __call__(self, url: str, *, duration: float, connections: int, max_requests: int) -> LoadResult:
        # wrk takes whole seconds and has no request cap: the run is bounded by its duration,
        # and the process by a timeout well beyond it. `max_requests` bounds only the asyncio client.
        seconds = max(1, math.ceil(duration))
        threads = min(2, connections)
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency", url]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=False)
        except subprocess.TimeoutExpired:
            raise SetupError(f"wrk did not finish within {seconds + 30} s on {url}") from None
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            raise SetupError(f"wrk failed on {url}: {lines[-1] if lines else f'exit code {done.returncode}'}")
        return wrk_report_parse(done.stdout)


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNIT_MS[unit]


def wrk_report_parse(report: str) -> LoadResult:
    """Return the numbers of a `wrk --latency` report: Requests/sec, the 50% and 99% latencies, errors."""
    requests = re.search(r"(\d+) requests in " + _TIME, report)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", report)
    p50 = re.search(r"^\s+50%\s+" + _TIME, report, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+" + _TIME, report, re.MULTILINE)
    if not (requests and rps and p50 and p99):
        raise SetupError(f"could not read wrk's report: {' | '.join(report.strip().splitlines())[:300]}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    return LoadResult(
        generator="wrk",
        requests=int(requests.group(1)),
        seconds=_ms(requests.group(2), requests.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1), p50.group(2)),
        p99_ms=_ms(p99.group(1), p99.group(2)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )
