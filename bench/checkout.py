"""Checkout throughput on PostgreSQL through HTTP, with a deal and a coupon applied: 1, 8 and 32 clients.

The shop's other suites run on a disposable SQLite file in this process; this one needs PostgreSQL, so it
runs `bench/checkout_run.py` in a child process with DATABASE_URL set (settings are read once per process).
The database is `ALLBUY_BENCH_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/allbuy_bench`),
created when missing and kept between runs (the bench's own customers, deal and coupon are reused; stock
of the benched variant is reset to a million). Each row's ratio is its orders per second to the product
page's requests per second, measured in the same run by the same kind of client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from bench.django_project import ROOT
from bench.registry import Row, RunOptions, SetupError, suite

SUITE = "checkout"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/allbuy_bench"
TARGET_ORDERS_AT_8 = 100.0


def _database_ensure(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SetupError(f"ALLBUY_BENCH_POSTGRES_URL names no database: {url}")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin_url, connect_timeout=3, autocommit=True) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SetupError(f"the checkout bench needs PostgreSQL ({parts.hostname}:{parts.port or 5432}): {first}") from None


@suite(
    SUITE,
    description="checkout through the JSON API on PostgreSQL (deal + coupon, test card) at 1, 8 and 32 clients",
    rows=("product_page", "checkout_c1", "checkout_c8", "checkout_c32"),
)
def checkout_suite(options: RunOptions) -> list[Row]:
    url = os.environ.get("ALLBUY_BENCH_POSTGRES_URL") or DEFAULT_URL
    _database_ensure(url)
    print(f"bench: checkout: PostgreSQL database {urlsplit(url).path.lstrip('/')}; this takes about {5 * options.duration:.0f} s")
    environment = {**os.environ, "DATABASE_URL": url}
    completed = subprocess.run(
        [sys.executable, "-m", "bench.checkout_run", "--duration", str(options.duration)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if completed.returncode != 0:
        lines = [line.strip() for line in completed.stderr.splitlines() if line.strip().strip("^~ ")]
        raise SetupError(f"the checkout worker failed: {lines[-1] if lines else '(no output)'}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    page = result["product_page"]
    rows = [
        Row(
            suite=SUITE,
            name="product_page",
            rps=page["rps"],
            p50_ms=page["p50_ms"],
            p99_ms=page["p99_ms"],
            ratio_to_floor=1.0,
            details={"before_rps": page["before_rps"], "after_rps": page["after_rps"], "workers": result["workers"]},
            error="; ".join(page["errors"]) or None,
        )
    ]
    for run in result["runs"]:
        clients = run["clients"]
        rows.append(
            Row(
                suite=SUITE,
                name=f"checkout_c{clients}",
                rps=run["orders_per_second"],
                p50_ms=run["checkout_p50_ms"],
                p99_ms=run["checkout_p99_ms"],
                ratio_to_floor=round(run["orders_per_second"] / page["rps"], 3) if page["rps"] else 0.0,
                details={
                    "orders": run["orders"],
                    "add_to_cart_p50_ms": run["add_p50_ms"],
                    "apply_coupon_p50_ms": run["coupon_p50_ms"],
                    "queries_per_checkout": result["queries_per_checkout"],
                    # CPU milliseconds each order cost the web workers, PostgreSQL and the load client (all on this
                    # machine's cores): with 2 cores, orders/s can never exceed 2000 / their sum.
                    "cpu_ms_per_order": run["cpu_ms_per_order"],
                    "target_orders_per_second": TARGET_ORDERS_AT_8 if clients == 8 else None,
                },
                error="; ".join(run["errors"]) or None,
            )
        )
    return rows
