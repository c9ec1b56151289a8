"""Before consent no non-essential cookie is set and no identifier is stored: every Set-Cookie of every page, read."""

from typing import Any

import pytest
from django.test import Client

from allbuy.tracking.consent import CONSENT_COOKIE, VISITOR_COOKIE
from allbuy.tracking.models import ConsentRecord, Event, VisitorLink

pytestmark = pytest.mark.django_db

# Cookies the shop may set before any choice: strictly necessary ones only (form protection and the session that
# holds a cart or a sign-in). Neither identifies a visitor to analytics, and neither is read by tracking.
STRICTLY_NECESSARY = {"csrftoken", "sessionid"}


def _pages(watches) -> list[str]:
    product = watches[0]
    return [
        "/",
        "/deals/",
        "/search?q=watch",
        "/search?q=ada%40example.org",
        f"/categories/{product.category.slug}/",
        f"/categories/{product.category.parent.slug}/",
        f"/brands/{product.brand.slug}/",
        f"/products/{product.slug}/",
        "/cart/",
        "/privacy",
        "/privacy/history",
        "/privacy/cookies",
        "/.well-known/gpc.json",
        "/accounts/login/",
        "/accounts/signup/",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("gpc", [False, True], ids=["no-gpc", "gpc"])
def test_no_tracking_cookie_and_no_identifier_on_any_page(client: Client, watches, gpc):
    headers: dict[str, Any] = {"HTTP_SEC_GPC": "1"} if gpc else {}
    seen: dict[str, set[str]] = {}
    for url in _pages(watches):
        response = client.get(url, **headers)
        assert response.status_code in (200, 404), url
        seen[url] = set(response.cookies)
    every = set().union(*seen.values())
    assert every <= STRICTLY_NECESSARY, {url: names for url, names in seen.items() if names - STRICTLY_NECESSARY}
    assert VISITOR_COOKIE not in every
    assert CONSENT_COOKIE not in every
    assert Event.objects.count() == 0
    assert VisitorLink.objects.count() == 0
    assert ConsentRecord.objects.count() == 0


@pytest.mark.parametrize("gpc", [False, True], ids=["no-gpc", "gpc"])
def test_beacons_before_consent_store_no_identifier(client: Client, watches, gpc, post_batch):
    from allbuy.core import clock
    from allbuy.tracking.models import PageViewCount
    from allbuy.tracking.tests.conftest import ms

    headers: dict[str, Any] = {"HTTP_SEC_GPC": "1"} if gpc else {}
    now = ms(clock.now())
    response = post_batch(
        [
            {"type": "page_view", "ts": now, "path": "/"},
            {"type": "product_view", "ts": now, "path": f"/products/{watches[0].slug}/", "product": watches[0].pk},
            {"type": "search", "ts": now, "path": "/search", "query": "watch"},
        ],
        **headers,
    )
    assert response.status_code == 200
    assert response.json() == {"accepted": 0, "counted": 1, "dropped": 2, "reasons": {"no_consent": 2}}
    assert set(response.cookies) <= STRICTLY_NECESSARY
    assert Event.objects.count() == 0
    assert list(PageViewCount.objects.values_list("path", "views")) == [("/", 1)]
