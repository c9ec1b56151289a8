"""Decrypting the addresses of 1,000 customers, against reading the same rows stored in plaintext.

Both sides are a batch read through the ORM into one dict per address (what a packing-slip batch or
an admin list does). The plaintext side reads a mirror table with the same columns, created for the
run; the encrypted side reads `accounts.Address` and decrypts through the privacy app (one query for
every data key, then one AES-256-GCM decryption per address). "cold" starts with no unwrapped data
key in memory, so it also pays for unwrapping 1,000 data keys; "warm" finds them cached (the cache
lasts a minute). Everything runs in one transaction that is rolled back: the bench database is left as
it was. Rows are interleaved (plaintext, cold, warm, plaintext, …) so machine noise hits all alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.django_project import django_ready
from bench.http_targets import database_prepare
from bench.registry import Row, RunOptions, SetupError, suite

SUITE = "crypto"
CUSTOMERS = 1_000
MIN_ROUNDS, MAX_ROUNDS = 15, 200
TARGET_TIME_RATIO = 2.0


class _Rollback(Exception):
    """Raised to roll the bench transaction back once measured."""


def _mirror_model() -> Any:
    from django.db import models

    class PlainAddress(models.Model):  # noqa: DJ008 - a bench-only table, never shown
        user_id = models.BigIntegerField()
        subject_id = models.UUIDField()
        recipient_name = models.TextField()
        line1 = models.TextField()
        line2 = models.TextField()
        city = models.TextField()
        region = models.TextField()
        postcode = models.TextField()
        country = models.TextField()
        phone = models.TextField()
        is_default = models.BooleanField()
        created_at = models.DateTimeField()

        class Meta:
            app_label = "accounts"
            db_table = "bench_plain_address"
            managed = False

    return PlainAddress


def _customers_create(plain_model: Any) -> None:
    from allbuy.accounts.models import Address
    from allbuy.accounts.services import user_create
    from allbuy.core import clock

    for i in range(CUSTOMERS):
        user = user_create(email=f"bench-{i}@example.org", full_name=f"Bench Customer {i}")
        values = {
            "recipient_name": f"Bench Customer {i}",
            "line1": f"{i + 1} Harbour Street",
            "line2": "Flat 4" if i % 3 else "",
            "city": "Hamburg",
            "region": "Hamburg",
            "postcode": f"{20000 + i % 900:05d}",
            "country": "DE",
            "phone": f"+4940{1000000 + i}",
        }
        Address(user=user, subject=user.subject, is_default=True, **values).save()
        plain_model.objects.create(user_id=user.pk, subject_id=user.subject_id, is_default=True, created_at=clock.now(), **values)


def _measure(options: RunOptions, plain_model: Any) -> dict[str, list[float]]:

    from allbuy.accounts.models import Address
    from allbuy.privacy import crypto
    from allbuy.privacy.services import values_reveal

    fields = ["recipient_name", "line1", "line2", "city", "region", "postcode", "country", "phone"]
    started = time.perf_counter()
    _customers_create(plain_model)
    print(f"bench: crypto: {CUSTOMERS} customers with an address created in {time.perf_counter() - started:.1f} s")

    def plain() -> None:
        rows = [{name: getattr(a, name) for name in fields} for a in plain_model.objects.all()]
        assert len(rows) == CUSTOMERS

    def encrypted(*, cold: bool) -> None:
        if cold:
            crypto.key_cache_clear()
        rows = values_reveal(instances=list(Address.objects.all()), fields=fields)
        assert len(rows) == CUSTOMERS
        assert rows[7]["city"] == "Hamburg"

    cases: dict[str, Callable[[], None]] = {
        "address_read_plaintext": plain,
        "address_read_decrypt_cold": lambda: encrypted(cold=True),
        "address_read_decrypt_warm": lambda: encrypted(cold=False),
    }
    timings: dict[str, list[float]] = {name: [] for name in cases if options.wants(SUITE, name)}
    for fn in cases.values():  # warm the code paths once
        fn()
    deadline = time.perf_counter() + max(options.duration, 1.0)
    rounds = 0
    while rounds < MIN_ROUNDS or (time.perf_counter() < deadline and rounds < MAX_ROUNDS):
        for name in timings:
            t = time.perf_counter()
            cases[name]()
            timings[name].append(time.perf_counter() - t)
        rounds += 1
    return timings


def _rows(timings: dict[str, list[float]]) -> list[Row]:
    floor_ms = statistics.median(timings["address_read_plaintext"]) * 1000 if "address_read_plaintext" in timings else None
    rows = []
    for name, samples in timings.items():
        ms = sorted(s * 1000 for s in samples)
        p50 = statistics.median(ms)
        p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
        time_ratio = p50 / floor_ms if floor_ms else 0.0
        rows.append(
            Row(
                suite=SUITE,
                name=name,
                rps=round(1000 / p50, 1),  # batch reads of 1,000 addresses per second
                p50_ms=round(p50, 2),
                p99_ms=round(p99, 2),
                ratio_to_floor=round(1 / time_ratio, 3) if time_ratio else 0.0,
                # ratio_to_floor is throughput / plaintext throughput: >= 0.5 means the decrypting read takes <= 2x.
                target_ratio=None if name == "address_read_plaintext" else 1 / TARGET_TIME_RATIO,
                details={"addresses": CUSTOMERS, "time_ratio": round(time_ratio, 3), "rounds": len(samples)},
            )
        )
    return rows


@suite(
    SUITE,
    description="batch read of 1,000 customers' addresses: AES-256-GCM envelope decryption vs plaintext rows",
    rows=("address_read_plaintext", "address_read_decrypt_cold", "address_read_decrypt_warm"),
)
def crypto_suite(options: RunOptions) -> list[Row]:
    django_ready()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except Exception as error:
        if not getattr(settings, "BENCH_DATABASE_DISPOSABLE", False):
            raise SetupError(f"could not migrate the bench database: {error}") from error
        database_prepare(seed=True)  # an outdated disposable bench database: rebuild it
    plain_model = _mirror_model()
    with connection.schema_editor() as editor:  # outside the transaction: SQLite refuses DDL with FK checks inside
        editor.create_model(plain_model)
    timings: dict[str, list[float]] = {}
    try:
        with transaction.atomic():
            timings = _measure(options, plain_model)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(plain_model)
    return _rows(timings)
