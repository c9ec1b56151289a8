"""Race proofs: run jobs at the same instant, each in its own thread and its own database connection.

Only PostgreSQL shows a race (SQLite runs one writer at a time), so tests using this are marked
`ON_POSTGRES_ONLY`. Every wait is bounded: a deadlock fails the test instead of hanging it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

WAIT = 60  # seconds

ON_POSTGRES_ONLY = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises all writers, so it cannot show a race; run on PostgreSQL"
    ),
]


def run_together(jobs: list[Callable[[], Any]], *, what: str = "a job") -> list[Any]:
    """Release every job at once (a barrier); return, in the jobs' order, each result or the exception it raised."""
    start = threading.Barrier(len(jobs), timeout=WAIT)
    outcomes: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes[index] = job()
        except BaseException as error:  # kept for the caller's assertions
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * WAIT)
    assert not any(thread.is_alive() for thread in threads), f"{what} never finished: a deadlock or a lost lock"
    return outcomes


def codes_or_results(outcomes: list[Any], refusal: type[Exception] | tuple[type[Exception], ...]) -> list[Any]:
    """Each outcome as a test reads it: a refusal's code, a crash as text, a result as it is."""
    shown: list[Any] = []
    for outcome in outcomes:
        if isinstance(outcome, refusal):
            shown.append(getattr(outcome, "code", repr(outcome)))
        elif isinstance(outcome, BaseException):
            shown.append(f"crashed: {outcome!r}")
        else:
            shown.append(outcome)
    return shown
