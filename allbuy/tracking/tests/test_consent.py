"""Consent: the cookie, GPC, the banner, the settings page, the account's history, withdrawal."""

from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.test import Client

from allbuy.core import clock
from allbuy.tracking.consent import (
    CONSENT_COOKIE,
    VISITOR_COOKIE,
    Choice,
    choice_from_cookie,
    consent_evaluate,
    visitor_pseudonym,
)
from allbuy.tracking.models import ConsentRecord, Event, VisitorLink
from allbuy.tracking.services import event_record
from allbuy.tracking.tests.conftest import PASSWORD, VISITOR_ID, choice, consenting, pseudonym

pytestmark = pytest.mark.django_db

GPC: dict[str, Any] = {"HTTP_SEC_GPC": "1"}


def _cookie(response, name):  # the Set-Cookie morsel of `name`, or None
    return response.cookies.get(name)


# --- pure evaluation -------------------------------------------------------------------------------------------


def test_cookie_round_trip_and_forgery():
    made = choice(analytics=False, personalisation=True, marketing=True)
    assert choice_from_cookie(made.cookie_value()) == made
    tampered = made.cookie_value().replace(":", "x", 1)
    assert choice_from_cookie(tampered) is None
    assert choice_from_cookie("not-a-cookie") is None
    assert choice_from_cookie("") is None
    assert choice_from_cookie("a" * 1000) is None


def test_no_choice_means_nothing_and_the_banner():
    consent = consent_evaluate(None, gpc=False)
    assert (consent.analytics, consent.personalisation, consent.marketing, consent.decided) == (False, False, False, False)


def test_gpc_refuses_what_a_choice_without_it_allowed():
    consent = consent_evaluate(choice(marketing=True), gpc=True)
    assert (consent.analytics, consent.personalisation, consent.marketing) == (False, False, False)
    assert consent.gpc_honoured


def test_an_explicit_opt_in_made_under_gpc_is_honoured():
    consent = consent_evaluate(choice(personalisation=True, analytics=False, gpc=True), gpc=True)
    assert consent.personalisation
    assert not consent.analytics
    assert not consent.gpc_honoured


# --- the banner and the first visit ----------------------------------------------------------------------------


def test_fresh_visitor_sees_the_banner_with_three_equal_choices(client: Client):
    html = client.get("/privacy").content.decode()
    assert 'id="consent-banner"' in html
    for label in ("Accept all", "Reject all", "Choose"):
        assert f">{label}</" in html
    assert html.count('class="button consent-button"') == 3
    assert 'data-collect="count"' in html


def test_gpc_visitor_is_told_the_signal_is_honoured(client: Client):
    html = client.get("/privacy", **GPC).content.decode()
    assert "Global Privacy Control signal, and we honour it" in html
    assert ">Accept all</" not in html


def test_the_banner_needs_no_token_and_a_first_visit_sets_no_cookie(client: Client):
    response = client.get("/privacy")
    assert "csrfmiddlewaretoken" not in response.content.decode().split('id="consent-banner"', 1)[1].split("</section>", 1)[0]
    assert not response.cookies


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}, 303),
        ({"HTTP_ORIGIN": "http://testserver"}, 303),
        ({"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"}, 403),
        ({"HTTP_ORIGIN": "https://evil.example"}, 403),
        ({"HTTP_SEC_FETCH_SITE": "same-site"}, 403),
        ({}, 403),  # no origin at all: a valid CSRF token is needed, and there is none
    ],
)
def test_a_choice_is_taken_only_from_the_shops_own_pages(headers, status):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/privacy/cookies", {"action": "accept_all", "next": "/"}, **headers)
    assert response.status_code == status
    assert (CONSENT_COOKIE in response.cookies) is (status == 303)


def test_without_origin_headers_the_settings_forms_token_is_enough():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/privacy/cookies").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post("/privacy/cookies", {"action": "reject_all", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert CONSENT_COOKIE in response.cookies


def test_gpc_json_is_served(client: Client):
    response = client.get("/.well-known/gpc.json")
    assert response.status_code == 200
    assert response.json()["gpc"] is True
    assert response.json()["lastUpdate"]


# --- deciding --------------------------------------------------------------------------------------------------


def test_accept_all_sets_the_consent_and_a_visitor_id(client: Client):
    response = client.post("/privacy/cookies", {"action": "accept_all", "from": "banner", "next": "/deals/"})
    assert response.status_code == 303
    assert response["Location"] == "/deals/"
    consent = choice_from_cookie(response.cookies[CONSENT_COOKIE].value)
    assert consent is not None
    assert (consent.analytics, consent.personalisation, consent.marketing) == (True, True, True)
    vid = _cookie(response, VISITOR_COOKIE)
    assert vid is not None
    assert vid["httponly"]
    assert vid["samesite"] == "Lax"
    assert int(vid["max-age"]) == 90 * 86400
    # The banner is gone afterwards, and the page script may send events.
    html = client.get("/privacy").content.decode()
    assert 'id="consent-banner"' not in html
    assert 'data-collect="events"' in html


def test_reject_all_sets_no_identifier(client: Client):
    response = client.post("/privacy/cookies", {"action": "reject_all", "from": "banner", "next": "/"})
    assert _cookie(response, VISITOR_COOKIE) is None
    consent = choice_from_cookie(response.cookies[CONSENT_COOKIE].value)
    assert consent is not None
    assert (consent.analytics, consent.personalisation, consent.marketing) == (False, False, False)
    assert 'data-collect="count"' in client.get("/privacy").content.decode()


def test_choose_some_groups_on_the_settings_page(client: Client):
    page = client.get("/privacy/cookies")
    assert page.status_code == 200
    response = client.post("/privacy/cookies", {"action": "save", "personalisation": "on"})
    assert response.status_code == 200
    assert "Your choices are saved" in response.content.decode()
    consent = choice_from_cookie(response.cookies[CONSENT_COOKIE].value)
    assert consent is not None
    assert (consent.analytics, consent.personalisation, consent.marketing) == (False, True, False)
    assert _cookie(response, VISITOR_COOKIE) is not None


def test_htmx_banner_decision_answers_empty(client: Client):
    response = client.post("/privacy/cookies", {"action": "reject_all", "from": "banner"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content == b""
    assert CONSENT_COOKIE in response.cookies


@pytest.mark.parametrize("data", [{}, {"action": "sell_everything"}])
def test_a_bad_decision_is_refused_with_a_message(client: Client, data):
    response = client.post("/privacy/cookies", data)
    assert response.status_code == 400
    assert CONSENT_COOKIE not in response.cookies
    assert "form-errors" in response.content.decode()


def test_next_outside_the_shop_is_ignored(client: Client):
    response = client.post("/privacy/cookies", {"action": "reject_all", "next": "https://evil.example/"})
    assert response.status_code == 200


def test_choice_records_policy_version_and_time(client: Client):
    from allbuy.privacy.models import PolicyVersion

    PolicyVersion.objects.create(
        version="2026.12", title="AllBuy privacy policy", body="Text.", published_at=clock.now() - timedelta(days=1)
    )
    response = client.post("/privacy/cookies", {"action": "accept_all"})
    consent = choice_from_cookie(response.cookies[CONSENT_COOKIE].value)
    assert consent is not None
    assert consent.policy_version == "2026.12"
    assert abs((consent.decided_at - clock.now()).total_seconds()) < 5


def test_gpc_after_an_earlier_accept_stops_collection_and_shows_the_banner(client: Client):
    consenting(client)
    html = client.get("/privacy", **GPC).content.decode()
    assert "we honour it" in html
    assert 'data-collect="count"' in html
    # an explicit opt-in while the signal is on is honoured
    response = client.post("/privacy/cookies", {"action": "save", "personalisation": "on"}, **GPC)
    stored = choice_from_cookie(response.cookies[CONSENT_COOKIE].value)
    assert stored is not None
    assert stored.gpc
    html = client.get("/privacy", **GPC).content.decode()
    assert 'data-collect="events"' in html


# --- accounts ----------------------------------------------------------------------------------------------------


def test_signed_in_decisions_are_kept_as_history(client: Client, customer):
    client.force_login(customer, backend="django.contrib.auth.backends.ModelBackend")
    client.post("/privacy/cookies", {"action": "accept_all"})
    client.post("/privacy/cookies", {"action": "save", "analytics": "on"})
    records = list(ConsentRecord.objects.filter(user=customer).order_by("decided_at", "id"))
    assert [(r.analytics, r.personalisation, r.marketing) for r in records] == [(True, True, True), (True, False, False)]
    assert all(r.source == ConsentRecord.Source.SETTINGS for r in records)


def test_sign_in_links_a_consenting_visitor_and_carries_the_choice(client: Client, customer):
    consenting(client)
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    assert response.status_code in (302, 303)
    link = VisitorLink.objects.get()
    assert link.user == customer
    assert link.visitor == pseudonym()
    record = ConsentRecord.objects.get(user=customer)
    assert record.source == ConsentRecord.Source.SIGN_IN
    assert record.personalisation


def test_sign_in_on_a_new_browser_brings_the_accounts_choice(client: Client, customer):
    ConsentRecord.objects.create(
        user=customer, analytics=True, personalisation=True, marketing=False, gpc=False, source="settings", decided_at=clock.now()
    )
    response = client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD})
    cookies: SimpleCookie = response.cookies
    stored = choice_from_cookie(cookies[CONSENT_COOKIE].value)
    assert stored is not None
    assert stored.personalisation
    assert VISITOR_COOKIE in cookies
    assert VisitorLink.objects.filter(user=customer).count() == 1


def test_withdrawal_removes_link_events_and_the_identifier_at_once(client: Client, customer):
    consenting(client)
    client.force_login(customer, backend="django.contrib.auth.backends.ModelBackend")
    VisitorLink.objects.create(visitor=pseudonym(), user=customer, linked_at=clock.now())
    VisitorLink.objects.create(visitor=visitor_pseudonym("another-browser-id-0001"), user=customer, linked_at=clock.now())
    event_record(visitor=pseudonym(), kind=2, product_ids=[None], path="/", device=0)
    event_record(visitor=visitor_pseudonym("another-browser-id-0001"), kind=1, product_ids=[None], path="/", device=0)
    event_record(visitor=visitor_pseudonym("someone-else-entirely-1"), kind=1, product_ids=[None], path="/", device=0)
    assert Event.objects.count() == 3

    response = client.post("/privacy/cookies", {"action": "reject_all"})

    assert VisitorLink.objects.count() == 0
    assert list(Event.objects.values_list("visitor", flat=True)) == [visitor_pseudonym("someone-else-entirely-1")]
    deleted = response.cookies[VISITOR_COOKIE]
    assert deleted.value == ""
    assert deleted["max-age"] == 0


def test_keeping_analytics_but_not_personalisation_keeps_collecting(client: Client):
    consenting(client)
    response = client.post("/privacy/cookies", {"action": "save", "analytics": "on"})
    assert VISITOR_COOKIE not in response.cookies  # the id stays as it is
    assert 'data-collect="events"' in client.get("/privacy").content.decode()


def test_a_consenting_browser_that_lost_its_id_gets_a_new_one(client: Client):
    client.cookies[CONSENT_COOKIE] = choice().cookie_value()
    response = client.get("/privacy")
    assert VISITOR_COOKIE in response.cookies
    assert response.cookies[VISITOR_COOKIE].value != VISITOR_ID


def test_forged_consent_cookie_is_no_consent(client: Client):
    client.cookies[CONSENT_COOKIE] = Choice(True, True, True, False, "", clock.now()).cookie_value() + "x"
    client.cookies[VISITOR_COOKIE] = VISITOR_ID
    html = client.get("/privacy").content.decode()
    assert 'id="consent-banner"' in html
