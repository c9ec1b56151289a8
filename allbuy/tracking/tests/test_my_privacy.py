"""My privacy shows the choices, the linked browsers and their activity; the download includes them."""

import json

import pytest
from django.test import Client

from allbuy.core import clock
from allbuy.tracking.models import ConsentRecord, VisitorLink
from allbuy.tracking.services import event_record
from allbuy.tracking.tests.conftest import consenting, pseudonym

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client: Client, customer) -> Client:
    client.force_login(customer, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_my_privacy_lists_choices_links_and_activity(signed_in: Client, customer):
    consenting(signed_in)
    signed_in.post("/privacy/cookies", {"action": "accept_all"})
    event_record(visitor=pseudonym(), kind=2, product_ids=[None], path="/products/huawei-watch-0/", device=1)
    html = signed_in.get("/accounts/privacy/").content.decode()
    assert "Cookies, activity and recommendations" in html
    assert "analytics on, personalisation on, marketing on" in html
    assert "1 browser linked to your account, with 1 recorded event" in html
    assert "/products/huawei-watch-0/" in html
    assert "Change cookie settings" in html


def test_download_includes_consent_history_and_events(signed_in: Client, customer, post_batch):
    consenting(signed_in)
    signed_in.post("/privacy/cookies", {"action": "save", "personalisation": "on"})
    post_batch([{"type": "search", "ts": int(clock.now().timestamp() * 1000), "path": "/search", "query": "band 9"}])
    data = json.loads(signed_in.get("/accounts/privacy/download").content)
    tracking = data["tracking"]
    assert tracking["consent_history"][0]["personalisation"] is True
    assert tracking["linked_browsers"] == 1
    assert [(e["type"], e["search"]) for e in tracking["events"]] == [("search", "band 9")]


def test_nothing_linked_says_so(signed_in: Client):
    html = signed_in.get("/accounts/privacy/").content.decode()
    assert "No browser is linked to your account" in html
    assert VisitorLink.objects.count() == 0
    assert ConsentRecord.objects.count() == 0
