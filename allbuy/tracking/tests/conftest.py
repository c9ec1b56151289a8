import json
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from allbuy.accounts.tests.factories import PASSWORD, customer_create
from allbuy.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory, VariantFactory
from allbuy.core import clock
from allbuy.tracking.consent import CONSENT_COOKIE, VISITOR_COOKIE, Choice, visitor_pseudonym
from allbuy.tracking.services import events_allowance_reset

VISITOR_ID = "Q1w2E3r4T5y6U7i8O9p0Aa"


@pytest.fixture(autouse=True)
def _fresh_allowance() -> Iterator[None]:
    events_allowance_reset()
    yield
    events_allowance_reset()


@pytest.fixture
def watches() -> list[Any]:
    parent = CategoryFactory(name="Wearables", slug="wearables")
    category = CategoryFactory(name="Smartwatches", slug="smartwatches", parent=parent)
    brand = BrandFactory(name="Huawei", slug="huawei")
    made = []
    for i in range(4):
        product = ProductFactory(name=f"Huawei Watch {i}", slug=f"huawei-watch-{i}", brand=brand, category=category)
        VariantFactory(product=product, attributes={"colour": "Black"}, price=Decimal("199.00"), stock_quantity=5)
        made.append(product)
    return made


def choice(*, analytics: bool = True, personalisation: bool = True, marketing: bool = False, gpc: bool = False) -> Choice:
    return Choice(analytics, personalisation, marketing, gpc, "", clock.now().replace(microsecond=0))


def consenting(client: Client, **groups: bool) -> Client:
    client.cookies[CONSENT_COOKIE] = choice(**groups).cookie_value()
    client.cookies[VISITOR_COOKIE] = VISITOR_ID
    return client


def pseudonym() -> str:
    return visitor_pseudonym(VISITOR_ID)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.fixture
def post_batch(client: Client) -> Callable[..., Any]:
    def post(events: Any, *, raw: bytes | None = None, **headers: Any) -> Any:
        body = raw if raw is not None else json.dumps({"events": events}).encode()
        return client.post("/events/batch", body, content_type="text/plain;charset=UTF-8", **headers)

    return post


@pytest.fixture
def customer() -> Any:
    return customer_create("ada@example.org")


__all__ = ["PASSWORD"]
