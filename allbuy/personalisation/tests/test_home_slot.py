"""The home page's "Recommended for you": per visitor, filled into the page every visitor shares."""

import re
import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from allbuy.core import clock
from allbuy.personalisation.models import Popularity
from allbuy.personalisation.tests.wearables import viewed
from allbuy.tracking.consent import CONSENT_COOKIE, VISITOR_COOKIE, Choice, visitor_pseudonym

pytestmark = pytest.mark.django_db

SECTION = re.compile(r'<section class="section container" aria-labelledby="recommended-title">.*?</section>', re.S)
TITLE = re.compile(r'<h2 id="recommended-title">([^<]*)</h2>')
CARD_NAME = re.compile(r'<a class="card-link" href="[^"]*">([^<]*)</a>')


def choice(*, personalisation: bool = True) -> Choice:
    return Choice(
        analytics=False, personalisation=personalisation, marketing=False, gpc=False, policy_version="", decided_at=clock.now()
    )


def visitor(client, *, consent: Choice | None) -> str:
    """Give the test client a visitor cookie (and a consent cookie): return the pseudonym its events are kept under."""
    visitor_id = secrets.token_urlsafe(16)
    client.cookies[VISITOR_COOKIE] = visitor_id
    if consent is not None:
        client.cookies[CONSENT_COOKIE] = consent.cookie_value()
    # The blind-index key is remembered once its creation commits, as it would be in the shop; tests never commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return visitor_pseudonym(visitor_id)


def home(client) -> tuple[str, list[dict[str, str]]]:
    """Return the recommendation section of the home page, and the queries it took."""
    with CaptureQueriesContext(connection) as context:
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<!--recommended-->" not in html
    match = SECTION.search(html)
    return (match.group(0) if match else ""), context.captured_queries


def title(section: str) -> str:
    found = TITLE.search(section)
    return found.group(1) if found else ""


def names(section: str) -> list[str]:
    return CARD_NAME.findall(section)


def event_queries(queries: list[dict[str, str]]) -> list[str]:
    return [query["sql"] for query in queries if "tracking_event" in query["sql"]]


def test_a_consenting_visitor_who_viewed_three_watches_is_recommended_other_wearables(client, shop):
    viewed(shop.watched, visitor=visitor(client, consent=choice()), now=clock.now())

    section, _ = home(client)

    assert title(section) == "Recommended for you"
    assert 'href="/privacy/cookies"' in section
    assert "Based on what you viewed here." in section
    assert names(section) == ["Huawei Watch GT 5", "Huawei Watch D2", "Huawei Band 8", "Huawei Band 9"]
    assert f'href="/products/{shop.gt5.slug}/"' in section


def test_without_consent_the_same_visitor_gets_the_popular_products_and_no_query_about_them(client, shop):
    pseudonym = visitor(client, consent=None)
    viewed(shop.watched, visitor=pseudonym, now=clock.now())
    Popularity.objects.create(product=shop.band9, category_id=shop.bands.pk, score=3)

    section, queries = home(client)

    assert title(section) == "Popular right now"
    assert "/privacy/cookies" not in section
    assert names(section) == ["Huawei Band 9"]
    assert event_queries(queries) == []


def test_consent_without_personalisation_gets_the_popular_products(client, shop):
    viewed(shop.watched, visitor=visitor(client, consent=choice(personalisation=False)), now=clock.now())

    section, queries = home(client)

    assert title(section) == "Popular right now"
    assert names(section) == ["Huawei Pura 70", "Huawei Watch GT 5"]  # featured, before popularity is known
    assert event_queries(queries) == []


def test_global_privacy_control_turns_recommendations_off(client, shop):
    viewed(shop.watched, visitor=visitor(client, consent=choice()), now=clock.now())

    with CaptureQueriesContext(connection):
        html = client.get("/", HTTP_SEC_GPC="1").content.decode()

    assert title(SECTION.search(html).group(0)) == "Popular right now"  # type: ignore[union-attr]


def test_the_popular_section_costs_no_query_on_a_cached_page(client, shop):
    home(client)  # the page and its popular section built
    _, without_cookies = home(client)

    visitor(client, consent=None)
    _, without_consent = home(client)

    assert len(without_consent) == len(without_cookies) <= 2


def test_a_consenting_visitor_costs_one_query_once_their_recommendation_is_cached(client, shop):
    home(client)
    _, baseline = home(client)  # the cached page for a visitor without cookies
    viewed(shop.watched, visitor=visitor(client, consent=choice()), now=clock.now())

    _, first = home(client)
    section, again = home(client)

    # Built once for these recent products: events, neighbours, popularity, alike, cards, images, deals.
    assert len(first) == len(baseline) + 7
    # Then only the visitor's recent products are read.
    assert len(again) == len(baseline) + 1
    assert len(event_queries(again)) == 1
    assert title(section) == "Recommended for you"


def test_a_new_product_viewed_moves_the_recommendation_at_once(client, shop):
    pseudonym = visitor(client, consent=choice())
    viewed(shop.watched, visitor=pseudonym, now=clock.now())
    home(client)

    viewed([shop.gt5], visitor=pseudonym, now=clock.now() + timedelta(minutes=1))
    section, _ = home(client)

    assert "Huawei Watch GT 5" not in names(section)
    assert names(section)[0] == "Huawei Watch D2"


def test_visitors_who_viewed_the_same_products_share_the_cached_recommendation(client, shop):
    viewed(shop.watched, visitor=visitor(client, consent=choice()), now=clock.now())
    home(client)
    client.cookies.clear()
    viewed(shop.watched, visitor=visitor(client, consent=choice()), now=clock.now())

    section, queries = home(client)

    assert len(event_queries(queries)) == 1
    assert names(section)[0] == "Huawei Watch GT 5"
