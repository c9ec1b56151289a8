"""The seeded catalog the HTTP suite measures, and the real pages picked from it."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.django_project import shown_path
from bench.registry import SetupError

SEARCH_QUERY = "redmi+note"
API_PRODUCTS_PATH = "/api/products"


@dataclass(frozen=True)
class Target:
    name: str
    path: str


def _command(name: str, **options: Any) -> str:
    """Run a management command quietly and return its output; turn its failure into one readable line."""
    from django.core.management import call_command

    output = io.StringIO()
    try:
        call_command(name, stdout=output, stderr=output, **options)
    except Exception as error:
        raise SetupError(f"`manage.py {name}` failed: {type(error).__name__}: {error}") from error
    return output.getvalue()


def _sqlite_remove(path: Path) -> None:
    from django.db import connections

    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def database_prepare(*, seed: bool) -> None:
    from django.conf import settings
    from django.core.management import get_commands

    database = shown_path(settings.DATABASES["default"]["NAME"])
    if seed:
        if getattr(settings, "BENCH_DATABASE_DISPOSABLE", False):  # set by config.settings.bench only
            _sqlite_remove(Path(settings.DATABASES["default"]["NAME"]))
        print(f"bench: migrating and seeding {database}, collecting static files")
        _command("migrate", interactive=False)
        if "seed_demo" not in get_commands():
            raise SetupError("`manage.py seed_demo` does not exist yet; the bench needs the seeded demo catalog")
        summary = _command("seed_demo").strip().splitlines()
        if summary:
            print(f"bench: seed_demo: {summary[-1]}")
    else:
        print(f"bench: using {database} as it is (--skip-seed); collecting static files")
    _command("collectstatic", interactive=False)


def catalog_targets() -> list[Target]:
    """Return the pages to measure, with a real category (the one listing most products) and product."""
    from django.db import DatabaseError, connections
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from allbuy.catalog.models import Product

    # A category page lists its own products and those of its subcategories.
    listed: Counter[str] = Counter()
    try:
        for category, parent in Product.objects.filter(is_active=True).values_list("category__slug", "category__parent__slug"):
            listed[category] += 1
            if parent:
                listed[parent] += 1
        product = (
            Product.objects.filter(is_active=True)
            .annotate(variant_count=Count("variants"))
            .order_by("-variant_count", "name")
            .values_list("slug", flat=True)
            .first()
        )
    except DatabaseError as error:
        raise SetupError(f"could not read the catalog from the bench database: {error}") from error
    finally:
        connections.close_all()  # gunicorn's workers open their own connections
    if not listed or product is None:
        raise SetupError("the bench database has no active product after `seed_demo`")
    category = min(listed, key=lambda slug: (-listed[slug], slug))
    try:
        return [
            Target("home", reverse("storefront:home")),
            Target("category", reverse("storefront:category", kwargs={"slug": category})),
            Target("product", reverse("storefront:product", kwargs={"slug": product})),
            Target("search", f"{reverse('storefront:search')}?q={SEARCH_QUERY}"),
            Target("api_products", API_PRODUCTS_PATH),
        ]
    except NoReverseMatch as error:
        raise SetupError(f"a storefront URL is missing: {error}") from error
