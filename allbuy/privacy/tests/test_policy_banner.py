"""Signed-in customers see that the policy changed until they dismiss the notice; new customers never do."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from allbuy.accounts.services import user_create
from allbuy.catalog.tests.factories import ProductFactory, VariantFactory
from allbuy.core import clock
from allbuy.privacy.context_processors import policy_banner
from allbuy.privacy.models import PolicyAcknowledgement, PolicyVersion
from allbuy.storefront.visitor import visitor_fill

pytestmark = pytest.mark.django_db

BANNER = "Our privacy policy changed on"


@pytest.fixture
def version_two() -> PolicyVersion:
    return PolicyVersion.objects.create(
        version="2.0", body="New text.", summary_of_changes="Shorter.", published_at=clock.now() - timedelta(minutes=1)
    )


@pytest.fixture
def signed_in(client: Client, customer) -> Client:
    client.force_login(customer)
    return client


def test_an_existing_customer_sees_the_banner_after_a_new_version(signed_in: Client, version_two):
    html = signed_in.get("/privacy").content.decode()
    assert BANNER in html
    assert 'href="/privacy/history#v2.0"' in html
    assert "see what changed" in html
    assert "Dismiss" in html


def test_no_banner_for_a_version_published_before_the_customer_joined(client: Client):
    user = user_create(email="newcomer@example.org", password="a-long-password-1")
    client.force_login(user)
    assert BANNER not in client.get("/privacy").content.decode()


def test_no_banner_for_anonymous_visitors(client: Client, version_two):
    assert BANNER not in client.get("/privacy").content.decode()


def test_dismissing_records_the_acknowledgement_and_hides_the_banner(signed_in: Client, customer, version_two, monkeypatch):
    moment = clock.now()
    monkeypatch.setattr(clock, "now", lambda: moment)
    response = signed_in.post("/privacy/acknowledge", {"version": version_two.pk, "next": "/privacy/history?x=1"})
    assert response.status_code == 302
    assert response["Location"] == "/privacy/history?x=1"
    acknowledgement = PolicyAcknowledgement.objects.get(user=customer)
    assert acknowledgement.version == version_two
    assert acknowledgement.at == moment
    assert BANNER not in signed_in.get("/privacy").content.decode()


def test_dismissing_twice_keeps_one_record(signed_in: Client, customer, version_two):
    signed_in.post("/privacy/acknowledge", {"version": version_two.pk, "next": "/"})
    signed_in.post("/privacy/acknowledge", {"version": version_two.pk, "next": "/"})
    assert PolicyAcknowledgement.objects.filter(user=customer).count() == 1


def test_dismissing_with_htmx_answers_with_nothing_to_swap_in(signed_in: Client, customer, version_two):
    response = signed_in.post("/privacy/acknowledge", {"version": version_two.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content == b""
    assert PolicyAcknowledgement.objects.filter(user=customer, version=version_two).exists()


def test_a_new_version_brings_the_banner_back(signed_in: Client, customer, version_two):
    signed_in.post("/privacy/acknowledge", {"version": version_two.pk, "next": "/"})
    PolicyVersion.objects.create(version="3.0", body="Newer text.", published_at=clock.now())
    assert 'href="/privacy/history#v3.0"' in signed_in.get("/privacy").content.decode()


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "",
        "http://testserver@evil.example/",
    ],
)
def test_dismiss_never_redirects_off_site(signed_in: Client, version_two, target):
    response = signed_in.post("/privacy/acknowledge", {"version": version_two.pk, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_dismiss_needs_a_csrf_token(customer, version_two):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    response = client.post("/privacy/acknowledge", {"version": version_two.pk, "next": "/"})
    assert response.status_code == 403
    assert not PolicyAcknowledgement.objects.exists()


def test_dismiss_only_by_post(signed_in: Client):
    assert signed_in.get("/privacy/acknowledge").status_code == 405


def test_a_scheduled_version_cannot_be_acknowledged_early(signed_in: Client, customer):
    future = PolicyVersion.objects.create(version="5.0", body="Later.", published_at=clock.now() + timedelta(days=1))
    signed_in.post("/privacy/acknowledge", {"version": future.pk, "next": "/"})
    assert not PolicyAcknowledgement.objects.filter(version=future).exists()


def test_the_banner_costs_no_query_for_visitors_and_one_for_customers(customer, version_two, django_assert_num_queries):
    factory = RequestFactory()
    anonymous = factory.get("/")
    anonymous.user = AnonymousUser()
    signed = factory.get("/")
    signed.user = customer
    bool(policy_banner(signed)["policy_banner"])  # warms the current-version cache
    with django_assert_num_queries(0):
        assert not policy_banner(anonymous)["policy_banner"]
    with django_assert_num_queries(1):
        assert policy_banner(signed)["policy_banner"].version == "2.0"


def test_a_customers_banner_never_leaks_into_pages_shared_by_every_visitor(signed_in: Client, version_two):
    # catalog pages are rendered once, without a request, and served to everyone from the cache
    product = ProductFactory.create(slug="banner-phone")
    VariantFactory(product=product)
    own = signed_in.get(f"/products/{product.slug}/").content.decode()
    assert BANNER in own  # the customer's own copy of the shared page carries their banner
    assert signed_in.get("/").status_code == 200
    for html in (Client().get(f"/products/{product.slug}/").content.decode(), Client().get("/").content.decode()):
        assert BANNER not in html


def test_pages_rendered_without_a_request_keep_a_slot_for_the_banner(rf, customer, version_two):
    # given a document rendered once for everybody
    document = render_to_string("base.html")
    assert "<!--privacy-banner-->" in document
    assert BANNER not in document
    # when it is served to a customer who has not seen the change, the slot holds their banner
    request = rf.get("/phones/")
    request.user = customer
    filled = visitor_fill(document, request)
    assert BANNER in filled
    assert 'name="csrfmiddlewaretoken"' in filled
    assert 'name="next" value="/phones/"' in filled
    # and an anonymous visitor gets nothing, for no query
    anonymous = rf.get("/")
    anonymous.user = AnonymousUser()
    assert BANNER not in visitor_fill(document, anonymous)
