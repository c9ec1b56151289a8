"""The checkout benchmark's worker: run by `bench/checkout.py` in its own process with DATABASE_URL on PostgreSQL.

Usage (the suite does this for you): `DATABASE_URL=postgres://… python -m bench.checkout_run --duration 10`.
Prints one JSON document on its last line of stdout: the measured rows.

What is measured, through HTTP against gunicorn on 127.0.0.1, on the JSON API:
- `product_page`: GET of a product page by 8 clients (the baseline, before and after the checkout runs);
- `checkout_cN` for N = 1, 8, 32 concurrent clients, each its own signed-in customer, each looping on a
  whole purchase: add one unit of a product that has a live deal to the cart, apply a 5 % coupon that
  stacks with deals, then `POST /api/checkout` with a fresh Idempotency-Key and the test card. A row's
  `rps` is completed orders per second; p50/p99 are of the checkout request alone; `details` also gives
  the p50 of the two cart requests. Every checkout must answer 201, or the row reports an error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from typing import Any

from bench.django_project import FLOOR_PATH, ROOT, SETTINGS_MODULE, django_ready
from bench.load import percentile_ms
from bench.server import gunicorn_serving

CONCURRENCY = (1, 8, 32)
WORKERS = 4
BASELINE_CLIENTS = 8
COUPON_CODE = "BENCH-CHECKOUT"
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}


@dataclass
class Customer:
    session_cookie: str
    csrf: str = ""
    cart_id: str = ""
    address_id: int = 0


@dataclass
class Tally:
    orders: int = 0
    errors: list[str] = field(default_factory=list)
    checkout: list[float] = field(default_factory=list)
    add: list[float] = field(default_factory=list)
    coupon: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _prepare() -> tuple[int, str, list[tuple[int, int]]]:
    """Migrate and seed if needed; return the benched variant, its product's slug and (user id, address id) pairs."""
    from django.core.management import call_command

    from allbuy.accounts.identity import email_pseudonym
    from allbuy.accounts.models import Address, User
    from allbuy.accounts.services import address_create, user_create
    from allbuy.catalog.models import Variant
    from allbuy.core import clock
    from allbuy.coupons.models import Coupon, code_normalise
    from allbuy.coupons.services import coupon_create
    from allbuy.deals.models import Deal
    from allbuy.deals.services import deal_create

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    now = clock.now()
    variant = Variant.objects.filter(deals__isnull=True, product__is_active=True).order_by("id").first()
    bench_deal = Deal.objects.filter(title="Bench checkout deal").select_related("variant").first()
    if bench_deal is not None and bench_deal.ends_at > now + timedelta(hours=1):
        variant = bench_deal.variant
    else:
        assert variant is not None, "the demo catalog has no variant without a deal"
        deal_create(
            variant=variant,
            title="Bench checkout deal",
            deal_price=(variant.price * Decimal("0.8")).quantize(Decimal("0.01")),
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=2),
        )
    Variant.objects.filter(pk=variant.pk).update(stock_quantity=1_000_000)
    if not Coupon.objects.filter(code_key=code_normalise(COUPON_CODE)).exists():
        coupon_create(
            code=COUPON_CODE, kind="percent", value=Decimal("5"), valid_from=now - timedelta(days=1), stacks_with_deals=True
        )
    pairs = []
    for i in range(max(CONCURRENCY)):
        email = f"bench-checkout-{i}@example.org"
        user = User.objects.filter(email=email_pseudonym(email)).first() or user_create(email=email, password=None)
        address = Address.objects.filter(user=user).first() or address_create(
            user=user,
            recipient_name=f"Bench Buyer {i}",
            line1=f"{i + 1} Harbour Street",
            line2="",
            city="Hamburg",
            region="",
            postcode="20095",
            country="DE",
            phone="+49 40 1234567",
        )
        pairs.append((user.pk, address.pk))
    return variant.pk, variant.product.slug, pairs


def _sessions(pairs: list[tuple[int, int]]) -> list[Customer]:
    from django.conf import settings
    from django.test import Client

    from allbuy.accounts.models import User

    customers = []
    for user_id, address_id in pairs:
        client = Client()
        client.force_login(User.objects.get(pk=user_id))
        customers.append(Customer(session_cookie=client.cookies[settings.SESSION_COOKIE_NAME].value, address_id=address_id))
    return customers


class Http:
    """One keep-alive connection of one simulated client, carrying its cookies."""

    def __init__(self, port: int, cookies: dict[str, str]):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = cookies

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any, float]:
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.connection.request(method, path, body=data, headers=all_headers)
        response = self.connection.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            self.cookies.update({key: morsel.value for key, morsel in jar.items()})
        payload = json.loads(raw) if raw and response.headers.get_content_type() == "application/json" else None
        return response.status, payload, elapsed


def _client_setup(port: int, customer: Customer, session_name: str) -> Http:
    web = Http(port, {session_name: customer.session_cookie})
    status, _, _ = web.call("GET", "/api/csrf")
    if status != 200 or "csrftoken" not in web.cookies:
        raise RuntimeError(f"GET /api/csrf answered {status}")
    customer.csrf = web.cookies["csrftoken"]
    status, cart, _ = web.call("POST", "/api/carts", {}, {"X-CSRFToken": customer.csrf})
    if status not in (200, 201):
        raise RuntimeError(f"POST /api/carts answered {status}: {cart}")
    customer.cart_id = cart["id"]
    return web


def _buyer(web: Http, customer: Customer, variant_id: int, deadline: float, tally: Tally) -> None:
    csrf = {"X-CSRFToken": customer.csrf}
    cart = f"/api/carts/{customer.cart_id}"
    while time.perf_counter() < deadline:
        status, body, t_add = web.call("POST", f"{cart}/lines", {"variant_id": variant_id, "quantity": 1}, csrf)
        if status != 201:
            with tally.lock:
                tally.errors.append(f"add {status} {body}")
            return
        status, body, t_coupon = web.call("PUT", f"{cart}/coupon", {"code": COUPON_CODE}, csrf)
        if status != 200:
            with tally.lock:
                tally.errors.append(f"coupon {status} {body}")
            return
        order = {"cart_id": customer.cart_id, "address_id": customer.address_id, "shipping_method": "standard", "card": CARD}
        headers = {**csrf, "Idempotency-Key": uuid.uuid4().hex}
        status, body, t_checkout = web.call("POST", "/api/checkout", order, headers)
        with tally.lock:
            if status != 201:
                tally.errors.append(f"checkout {status} {body}")
                return
            tally.orders += 1
            tally.add.append(t_add)
            tally.coupon.append(t_coupon)
            tally.checkout.append(t_checkout)


_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ms_by_role() -> dict[str, float]:
    """CPU time (user + system, ms) used so far by the web workers, PostgreSQL and this client, from /proc (Linux)."""
    used = {"web": 0.0, "postgres": 0.0, "client": 0.0}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                raw = stat.read()
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        if int(entry.name) == os.getpid():
            used["client"] += ticks * _TICK_MS
        elif "gunicorn" in command:
            used["web"] += ticks * _TICK_MS
        elif command.startswith("postgres"):
            used["postgres"] += ticks * _TICK_MS
    return used


def _checkout_run(port: int, customers: list[Customer], variant_id: int, clients: int, seconds: float, session: str) -> dict:
    webs = [_client_setup(port, customer, session) for customer in customers[:clients]]
    tally = Tally()
    cpu_before = cpu_ms_by_role()
    started = time.perf_counter()
    deadline = started + seconds
    threads = [
        threading.Thread(target=_buyer, args=(web, customer, variant_id, deadline, tally))
        for web, customer in zip(webs, customers[:clients], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.perf_counter() - started
    cpu_after = cpu_ms_by_role()
    checkout = sorted(tally.checkout)
    per_order = {
        role: round((cpu_after[role] - cpu_before[role]) / tally.orders, 1) if tally.orders else 0.0 for role in cpu_after
    }
    return {
        "cpu_ms_per_order": per_order,
        "clients": clients,
        "orders": tally.orders,
        "seconds": round(elapsed, 2),
        "orders_per_second": round(tally.orders / elapsed, 1) if elapsed else 0.0,
        "checkout_p50_ms": round(percentile_ms(checkout, 50), 1),
        "checkout_p99_ms": round(percentile_ms(checkout, 99), 1),
        "add_p50_ms": round(statistics.median(tally.add) * 1000, 1) if tally.add else 0.0,
        "coupon_p50_ms": round(statistics.median(tally.coupon) * 1000, 1) if tally.coupon else 0.0,
        "errors": tally.errors[:3],
    }


def _page_run(port: int, path: str, seconds: float) -> dict:
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def reader() -> None:
        web = Http(port, {})
        mine = []
        while time.perf_counter() < deadline:
            status, _, elapsed = web.call("GET", path)
            if status != 200:
                errors.append(f"GET {path} {status}")
                return
            mine.append(elapsed)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=reader) for _ in range(BASELINE_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": round(len(ordered) / elapsed, 1),
        "p50_ms": round(percentile_ms(ordered, 50), 1),
        "p99_ms": round(percentile_ms(ordered, 99), 1),
        "errors": errors[:3],
    }


def _queries_per_checkout(variant_id: int, customer_pair: tuple[int, int]) -> int:
    """Count the SQL statements of one checkout through the test client (where the time goes)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from allbuy.accounts.models import User
    from allbuy.cart.services import cart_coupon_set, cart_for_user, cart_line_add

    user = User.objects.get(pk=customer_pair[0])
    cart = cart_for_user(user=user)
    cart_line_add(cart=cart, variant_id=variant_id)
    cart_coupon_set(cart=cart, code=COUPON_CODE)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    body = {"cart_id": str(cart.pk), "address_id": customer_pair[1], "shipping_method": "standard", "card": CARD}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/checkout", body, content_type="application/json", headers={"Idempotency-Key": uuid.uuid4().hex}
        )
    if response.status_code != 201:
        raise RuntimeError(f"one checkout through the test client answered {response.status_code}: {response.content[:200]!r}")
    return len(queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checkout_run")
    parser.add_argument("--duration", type=float, default=10.0)
    arguments = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench.checkout_run: DATABASE_URL must name a PostgreSQL database", file=sys.stderr)
        return 2
    django_ready()
    from django.conf import settings

    variant_id, slug, pairs = _prepare()
    customers = _sessions(pairs)
    queries = _queries_per_checkout(variant_id, pairs[0])
    serving = gunicorn_serving(
        root=ROOT,
        settings_module=SETTINGS_MODULE,
        workers=WORKERS,
        ready_path=FLOOR_PATH,
        log_path=settings.VAR_DIR / "bench-checkout-gunicorn.log",
    )
    product_path = f"/products/{slug}/"
    result: dict[str, Any] = {"workers": WORKERS, "queries_per_checkout": queries, "runs": []}
    with serving as base:
        port = int(base.rsplit(":", 1)[1])
        _page_run(port, product_path, 1.0)  # warm both workers' caches
        before = _page_run(port, product_path, arguments.duration / 2)
        for clients in CONCURRENCY:
            result["runs"].append(
                _checkout_run(port, customers, variant_id, clients, arguments.duration, settings.SESSION_COOKIE_NAME)
            )
        after = _page_run(port, product_path, arguments.duration / 2)
    result["product_page"] = {
        "rps": round((before["rps"] + after["rps"]) / 2, 1),
        "p50_ms": round((before["p50_ms"] + after["p50_ms"]) / 2, 1),
        "p99_ms": max(before["p99_ms"], after["p99_ms"]),
        "errors": before["errors"] + after["errors"],
        "before_rps": before["rps"],
        "after_rps": after["rps"],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
