"""Serve the shop under gunicorn on 127.0.0.1 for the length of a benchmark, and always stop it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.django_project import shown_path
from bench.registry import SetupError

_START_TIMEOUT_SECONDS = 30.0
_STOP_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Probe:
    status: int
    location: str
    size: int


def probe(url: str, *, timeout: float = 5.0) -> Probe:
    """GET `url` once without following redirects."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        return Probe(status=response.status, location=response.getheader("Location") or "", size=len(response.read()))
    finally:
        connection.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(log_path: Path) -> str:
    lines = [line for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no output)"


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, log_path: Path, shown_log: str) -> None:
    give_up = time.monotonic() + _START_TIMEOUT_SECONDS
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise SetupError(
                f"gunicorn exited with code {process.returncode} before answering: {_log_tail(log_path)} (log: {shown_log})"
            )
        try:
            if probe(url, timeout=1.0).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SetupError(f"gunicorn did not answer {url} within {_START_TIMEOUT_SECONDS:.0f} s (log: {shown_log})")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # the master stops its workers gracefully
    try:
        process.wait(_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        # gunicorn runs in its own session, so its process group holds exactly the master and its workers.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def gunicorn_serving(*, root: Path, settings_module: str, workers: int, ready_path: str, log_path: Path) -> Iterator[str]:
    """Start gunicorn (sync workers) on a free port, wait until `ready_path` answers 200, yield the base URL."""
    shown_log = shown_path(log_path)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        f"--chdir={root}",
        "--no-control-socket",  # several gunicorns (make run, other benches) must not share one control socket
        "--error-logfile=-",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        # A session of its own: Ctrl-C reaches the bench, which then stops gunicorn in order.
        process = subprocess.Popen(
            command, cwd=root, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_until_answering(process, base_url + ready_path, log_path, shown_log)
            yield base_url
        finally:
            _stop(process)
