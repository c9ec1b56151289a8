"""My privacy: the customer's own data, decrypted for them alone, what it is for, and who else read it."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from allbuy.accounts.models import PSEUDONYM_DOMAIN
from allbuy.core import clock
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.models import AccessLogEntry
from allbuy.privacy.services import Actor, personal_data_read

pytestmark = pytest.mark.django_db

URL = "/accounts/privacy/"
VALUES = ("ada.lovelace@example.org", "Ada Lovelace", "+44 20 7946 0018")
ADDRESS_VALUES = (
    "Ada King",
    "12 Saint James Square",
    "Flat 3",
    "London",
    "Greater London",
    "SW1Y 4JH",
    "United Kingdom",
    "+44 7700 900123",
)


@pytest.fixture
def signed_in(client: Client, customer) -> Client:
    client.force_login(customer)
    return client


def test_anonymous_visitors_are_sent_to_sign_in(client: Client):
    for url in (URL, "/accounts/privacy/download"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_shows_the_customers_own_values_decrypted(signed_in: Client, customer, address_add):
    address_add(customer)
    response = signed_in.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    html = response.content.decode()
    for value in (*VALUES, *ADDRESS_VALUES):
        assert escape(value) in html, value
    assert "Your address book" in html
    assert "Address 1" in html
    assert "To pack and deliver what you bought" in html  # purposes
    assert "The carrier delivering your order (only while shipping it)" in html  # recipients
    assert "While your account exists; shredded when you delete it" in html  # retention
    assert "AES-256-GCM with a key of your own" in html  # protection


def test_never_shows_the_sign_in_pseudonym_or_hashes(signed_in: Client, customer):
    html = signed_in.get(URL).content.decode()
    assert PSEUDONYM_DOMAIN not in html
    assert customer.email.split("@")[0] not in html
    assert customer.password not in html


def test_says_whether_a_facebook_account_is_linked(signed_in: Client, customer):
    assert "No Facebook account is linked" in signed_in.get(URL).content.decode()
    customer.socialaccount_set.create(provider="facebook", uid="0f" * 32, extra_data={})
    html = signed_in.get(URL).content.decode()
    assert "Your Facebook account is linked" in html
    assert "0f" * 32 not in html


def test_shows_who_read_the_customers_data_and_why(signed_in: Client, customer, staff_make):
    staff = staff_make()
    personal_data_read(
        actor=Actor.staff(staff, team="AllBuy customer support"),
        subject=customer.subject,
        instance=customer,
        fields=["full_name", "phone"],
        purpose=Purpose.SERVICE,
        context={"ticket": "T-1042"},
    )
    html = signed_in.get(URL).content.decode()
    log = html[html.index('id="access-log"') :]
    assert "AllBuy customer support" in log
    assert "Your name" in log
    assert "Your phone number" in log
    assert "To run your account and your orders, and to answer your questions" in log
    assert "Ticket: T-1042" in log
    assert "Nobody but you has read your personal data" not in log
    assert f"user:{staff.pk}" not in log


def test_the_access_log_is_paginated(signed_in: Client, customer):
    now = clock.now()
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            subject=customer.subject,
            actor_kind="allbuy",
            actor_ref="job:test",
            actor_label=f"Reader {n:02d}",
            fields=["accounts.User.full_name"],
            purpose="essential.service",
            at=now - timedelta(minutes=n),
        )
        for n in range(25)
    )
    first = signed_in.get(URL).content.decode()
    assert "Reader 00" in first
    assert "Reader 19" in first
    assert "Reader 20" not in first
    assert "Page 1 of 2" in first
    second = signed_in.get(URL + "?page=2").content.decode()
    assert "Reader 20" in second
    assert "Reader 24" in second
    assert "Reader 00" not in second
    assert signed_in.get(URL + "?page=zzz").status_code == 200


def test_other_customers_data_never_appears(signed_in: Client, customer, customer_make, address_add, staff_make):
    other = customer_make("grace@example.org", full_name="Grace Brewster", phone="+1 555 0100")
    address_add(other, recipient_name="Grace B. Murray", line1="1 Navy Yard", city="Arlington")
    personal_data_read(
        actor=Actor.staff(staff_make(), team="Someone Else Team"),
        subject=other.subject,
        instance=other,
        fields=["phone"],
        purpose=Purpose.SERVICE,
    )
    html = signed_in.get(URL).content.decode()
    download = signed_in.get("/accounts/privacy/download").content.decode()
    for text in (
        "grace@example.org",
        "Grace Brewster",
        "+1 555 0100",
        "Grace B. Murray",
        "1 Navy Yard",
        "Arlington",
        "Someone Else Team",
    ):
        assert text not in html
        assert text not in download


def test_download_returns_every_value_as_a_json_attachment(signed_in: Client, customer, address_add, monkeypatch):
    address_add(customer)
    address_add(customer, line1="7 Other Street", is_default=True)
    moment = clock.now().replace(year=2027, month=3, day=9)
    monkeypatch.setattr(clock, "now", lambda: moment)
    response = signed_in.get("/accounts/privacy/download")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="allbuy-my-data-2027-03-09.json"'
    export = json.loads(response.content)
    assert export["subject"] == str(customer.subject_id)
    assert export["data"]["accounts.User"] == [dict(zip(("contact_email", "full_name", "phone"), VALUES, strict=True))]
    addresses = export["data"]["accounts.Address"]
    assert [a["line1"] for a in addresses] == ["12 Saint James Square", "7 Other Street"]
    assert addresses[0]["postcode"] == "SW1Y 4JH"
    assert PSEUDONYM_DOMAIN not in response.content.decode()


def test_viewing_ones_own_data_is_not_an_access_by_someone_else(signed_in: Client, customer, address_add):
    address_add(customer)
    signed_in.get(URL)
    signed_in.get("/accounts/privacy/download")
    assert not AccessLogEntry.objects.filter(subject=customer.subject).exists()


def test_query_count_does_not_grow_with_addresses_or_log_entries(signed_in: Client, customer, address_add, staff_make):
    staff = staff_make()
    address_add(customer)
    personal_data_read(
        actor=Actor.staff(staff), subject=customer.subject, instance=customer, fields=["phone"], purpose=Purpose.SERVICE
    )
    signed_in.get(URL)  # warm caches (current policy version, data keys)
    with CaptureQueriesContext(connection) as few:
        signed_in.get(URL)
    for _ in range(6):
        address_add(customer)
        personal_data_read(
            actor=Actor.staff(staff), subject=customer.subject, instance=customer, fields=["phone"], purpose=Purpose.SERVICE
        )
    with CaptureQueriesContext(connection) as many:
        html = signed_in.get(URL).content.decode()
    assert "Address 7" in html
    assert len(many) == len(few)
    assert len(few) <= 14  # 12, and the consent history and the linked browsers (allbuy/tracking)
