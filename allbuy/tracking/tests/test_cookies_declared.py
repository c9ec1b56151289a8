"""Every cookie the shop sets is declared (and so listed on the policy page): a shopper's whole visit, read."""

import pytest
from django.test import Client

from allbuy.privacy.datamap import COOKIE_NAMES, COOKIES
from allbuy.tracking.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_every_cookie_of_a_visit_is_declared(client: Client, watches, customer):
    product = watches[0]
    seen: set[str] = set()

    def visit(response):
        seen.update(response.cookies)
        return response

    for url in ("/", f"/products/{product.slug}/", "/cart/", "/privacy/cookies"):
        visit(client.get(url))
    visit(client.post("/privacy/cookies", {"action": "accept_all", "next": "/"}))
    visit(client.post("/cart/add/", {"variant": product.variants.first().pk, "quantity": "1", "next": "/cart/"}))
    visit(client.get("/cart/"))
    visit(client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD}))
    visit(client.get("/accounts/privacy/"))
    visit(client.post("/privacy/cookies", {"action": "reject_all"}))
    visit(client.post("/accounts/logout/"))

    assert {"allbuy_consent", "allbuy_vid", "sessionid", "csrftoken"} <= seen
    assert seen <= COOKIE_NAMES, seen - COOKIE_NAMES


def test_the_policy_page_lists_every_declared_cookie(client: Client):
    html = client.get("/privacy").content.decode()
    assert 'id="cookies"' in html
    for cookie in COOKIES:
        assert f"<code>{cookie.name}</code>" in html
