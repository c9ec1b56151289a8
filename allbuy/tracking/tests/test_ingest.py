"""The events batch endpoint: valid events kept, invalid ones dropped and counted, nothing crashes."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from allbuy.core import clock
from allbuy.tracking.ingest import MAX_BATCH_EVENTS, batch_validate, query_scrub, screen_bucket
from allbuy.tracking.models import DeviceClass, Event, EventKind, PageViewCount, ScreenBucket
from allbuy.tracking.tests.conftest import consenting, ms, pseudonym

pytestmark = pytest.mark.django_db

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    " Version/17.0 Mobile/15E148 Safari/604.1"
)


def test_valid_events_are_stored_with_the_pseudonym_device_and_timings(client: Client, watches, post_batch):
    consenting(client)
    now = ms(clock.now())
    product = watches[1]
    response = post_batch(
        [
            {
                "type": "page_view",
                "ts": now,
                "path": f"/products/{product.slug}/?utm=x",
                "screen": 390,
                "timing": {"ttfb": 42, "dom": 300, "load": 650},
            },
            {"type": "product_view", "ts": now, "path": f"/products/{product.slug}/", "product": product.pk, "screen": 390},
            {"type": "search", "ts": now, "path": "/search", "query": "huawei watch"},
            {"type": "checkout_step", "ts": now, "path": "/cart/", "step": "cart"},
        ],
        HTTP_USER_AGENT=IPHONE,
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 4, "counted": 1, "dropped": 0, "reasons": {}}
    rows = {e.kind: e for e in Event.objects.all()}
    assert set(rows) == {EventKind.PAGE_VIEW, EventKind.PRODUCT_VIEW, EventKind.SEARCH, EventKind.CHECKOUT_STEP}
    assert {e.visitor for e in rows.values()} == {pseudonym()}
    view = rows[EventKind.PAGE_VIEW]
    assert view.path == f"/products/{product.slug}/"
    assert (view.ttfb_ms, view.dom_ready_ms, view.load_ms) == (42, 300, 650)
    assert view.device == DeviceClass.MOBILE
    assert view.screen == ScreenBucket.XS
    assert rows[EventKind.PRODUCT_VIEW].product_id == product.pk
    assert rows[EventKind.CHECKOUT_STEP].step == "cart"
    assert PageViewCount.objects.get().path == f"/products/{product.slug}/"


def test_search_words_are_scrubbed_then_encrypted_at_rest(client: Client, post_batch):
    consenting(client)
    post_batch(
        [{"type": "search", "ts": ms(clock.now()), "path": "/search", "query": "watch for ada@example.org +49 30 1234567"}]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM tracking_event")
        (stored,) = cursor.fetchone()
    assert "watch" not in stored
    assert "ada" not in stored
    from allbuy.privacy.crypto import decrypt_value

    assert decrypt_value(stored, field="tracking.Event.query") == "watch for"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("redmi note 13 pro 5g", "redmi note 13 pro 5g"),
        ("120w charger", "120w charger"),
        ("call me 0151 2345 6789 watch", "call me watch"),
        ("bob.smith@example.com band 8", "band 8"),
        ("4000 0000 0000 0002", ""),
    ],
)
def test_query_scrub(text, kept):
    assert query_scrub(text) == kept


def test_invalid_events_are_dropped_and_counted_valid_ones_kept(client: Client, watches, post_batch):
    consenting(client)
    now = clock.now()
    good = {"type": "product_view", "ts": ms(now), "path": "/", "product": watches[0].pk}
    response = post_batch(
        [
            good,
            {"type": "teleport", "ts": ms(now)},
            {"type": "product_view", "ts": ms(now), "product": 987654},
            {"type": "product_view", "ts": ms(now), "product": "1"},
            {"type": "page_view", "ts": ms(now - timedelta(days=400))},
            {"type": "page_view", "ts": ms(now + timedelta(days=2))},
            {"type": "page_view", "ts": "yesterday"},
            {"type": "page_view", "ts": 1e300},
            {"type": "page_view", "ts": ms(now), "path": "https://evil.example/"},
            {"type": "search", "ts": ms(now), "query": "   "},
            {"type": "checkout_step", "ts": ms(now), "step": "teleport"},
            "not an object",
            None,
        ],
    )
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 1
    assert body["dropped"] == 12
    assert body["reasons"] == {
        "unknown_type": 1, "unknown_product": 2, "bad_timestamp": 4, "bad_path": 1, "empty_query": 1, "bad_step": 1,
        "malformed_event": 2,
    }  # fmt: skip
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b"\xff\xfe", 400, "malformed_json"),
        (b"[1, 2]", 400, "malformed_batch"),
        (b'{"events": "lots"}', 400, "malformed_batch"),
        (json.dumps({"events": [{"type": "page_view"}] * (MAX_BATCH_EVENTS + 1)}).encode(), 413, "batch_too_large"),
        (b'{"events": [], "pad": "' + b"x" * (70 * 1024) + b'"}', 413, "batch_too_large"),
    ],
)
def test_bad_batches_are_refused_with_a_code(client: Client, post_batch, body, status, code):
    consenting(client)
    response = post_batch(None, raw=body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert Event.objects.count() == 0


def test_get_is_refused_as_json(client: Client):
    response = client.get("/events/batch")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_cross_site_posts_are_refused(client: Client, post_batch):
    consenting(client)
    events = [{"type": "page_view", "ts": ms(clock.now()), "path": "/"}]
    assert post_batch(events, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert post_batch(events, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert post_batch(events, HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin").status_code == 200
    assert Event.objects.count() == 1


def test_a_flood_from_one_visitor_is_cut_at_the_limit(client: Client, post_batch, settings):
    settings.ALLBUY_EVENTS_PER_VISITOR_PER_MINUTE = 120
    consenting(client)
    batch = [{"type": "page_view", "ts": ms(clock.now()), "path": "/"}] * 50
    answers = [post_batch(batch) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.json()["accepted"] for a in answers] == [50, 50, 20, 0]
    assert answers[2].json()["reasons"] == {"rate_limited": 30}
    assert answers[3].json()["code"] == "rate_limited"
    assert Event.objects.count() == 120


def test_anonymous_counts_only_known_pages(client: Client, post_batch):
    now = ms(clock.now())
    response = post_batch(
        [
            {"type": "page_view", "ts": now, "path": "/"},
            {"type": "page_view", "ts": now, "path": "/"},
            {"type": "page_view", "ts": now, "path": "/privacy"},
            {"type": "page_view", "ts": now, "path": "/made-up/page/that/does/not/exist/at/all/"},
            {"type": "page_view", "ts": now, "path": "/admin/"},
        ]
    )
    assert response.json()["counted"] == 3
    assert response.json()["reasons"] == {"unknown_path": 2}
    assert dict(PageViewCount.objects.values_list("path", "views")) == {"/": 2, "/privacy": 1}
    post_batch([{"type": "page_view", "ts": now, "path": "/"}])
    assert PageViewCount.objects.get(path="/").views == 3


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
                    max_leaves=25))  # fmt: skip
def test_any_json_event_is_kept_or_dropped_never_crashes(raw):
    now = clock.now()
    batch = batch_validate([raw, {"type": "page_view", **(raw if isinstance(raw, dict) else {})}], now=now, known_products={1, 2})
    assert len(batch.rows) + sum(batch.dropped.values()) == 2


@pytest.mark.parametrize(
    ("width", "bucket"), [(375, 1), (768, 2), (1000, 3), (1440, 4), (2560, 5), (None, 0), (-3, 0), (True, 0)]
)
def test_screen_buckets(width, bucket):
    assert screen_bucket(width) == bucket


def test_a_product_is_looked_up_once_then_remembered(client: Client, watches, post_batch):
    consenting(client)
    view = {"type": "product_view", "ts": ms(clock.now()), "path": "/", "product": watches[0].pk}
    post_batch([view])
    with CaptureQueriesContext(connection) as queries:
        assert post_batch([view]).json()["accepted"] == 1
    assert not any("catalog_product" in query["sql"] for query in queries.captured_queries)
