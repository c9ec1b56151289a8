"""Reads by anyone but the subject go through one function that checks the data map and logs the read."""

import json

import pytest
from django.db import connection
from django.utils import timezone

from allbuy.accounts.models import Address, User
from allbuy.accounts.services import user_create
from allbuy.privacy.datamap import Purpose, Recipient
from allbuy.privacy.exceptions import PurposeNotAllowed
from allbuy.privacy.grants import NoGrant, grant_create, granted_read
from allbuy.privacy.models import AccessLogEntry
from allbuy.privacy.services import Actor, own_data_reveal, personal_data_read, personal_data_read_many

pytestmark = pytest.mark.django_db

MERCHANT = Actor(kind=Recipient.MERCHANT, ref="merchant:7", label="Merchant: Mi Store Berlin")


@pytest.fixture
def customer():
    user = user_create(email="reader@example.org", full_name="Ines Reader", phone="+4930123456")
    address = Address(user=user, subject=user.subject, is_default=True)
    values = {"recipient_name": "Ines Reader", "line1": "Torstraße 1", "city": "Berlin", "postcode": "10119", "country": "DE"}
    for name, value in {**values, "phone": "+4930123456"}.items():
        setattr(address, name, value)
    address.save()
    return user, address


def _granted(address, fields):
    grant_create(actor=MERCHANT, instance=address, fields=fields, purpose=Purpose.SHIPPING, valid_from=timezone.now())


def test_a_merchant_without_a_grant_reads_nothing(customer):
    user, address = customer
    with pytest.raises(PurposeNotAllowed) as refused:
        personal_data_read(actor=MERCHANT, subject=user.subject, instance=address, fields=["line1"], purpose=Purpose.SHIPPING)
    assert refused.value.code == "not_granted"
    with pytest.raises(NoGrant):
        granted_read(actor=MERCHANT, instance=address, fields=["line1"], purpose=Purpose.SHIPPING)
    assert not AccessLogEntry.objects.exists()


def test_an_allowed_read_returns_plaintext_and_logs_no_values(customer):
    user, address = customer
    _granted(address, ["recipient_name", "line1", "city"])
    # when a merchant reads the shipping fields for shipping, under its grant
    values = granted_read(
        actor=MERCHANT, instance=address, fields=["recipient_name", "line1", "city"], purpose=Purpose.SHIPPING,
        context={"shipment": "S-1"},
    )  # fmt: skip
    # then it gets them
    assert values == {"recipient_name": "Ines Reader", "line1": "Torstraße 1", "city": "Berlin"}
    # and one log row says who, what, why and when, without the values
    entry = AccessLogEntry.objects.get()
    assert entry.subject_id == user.subject_id
    assert entry.actor_label == "Merchant: Mi Store Berlin"
    assert entry.fields == ["accounts.Address.recipient_name", "accounts.Address.line1", "accounts.Address.city"]
    assert entry.purpose == "essential.service.shipping"
    assert entry.context["shipment"] == "S-1"
    assert set(entry.context) == {"shipment", "grant"}
    assert "Ines" not in json.dumps([entry.fields, entry.context, entry.actor_label, entry.actor_ref])


@pytest.mark.parametrize(
    ("actor", "fields", "purpose"),
    [
        (MERCHANT, ["contact_email"], Purpose.SHIPPING),  # a merchant never gets the email
        (MERCHANT, ["full_name"], Purpose.SERVICE),
        (Actor(kind=Recipient.CARRIER, ref="carrier:1", label="Carrier"), ["phone"], Purpose.MARKETING_EMAIL),
        (Actor.staff(type("U", (), {"pk": 1})()), ["contact_email"], Purpose.PERSONALISE),
        (Actor(kind=Recipient.PAYMENT_PROCESSOR, ref="psp", label="PSP"), ["full_name"], Purpose.SERVICE),
    ],
)
def test_reads_outside_the_data_map_are_refused_before_decrypting(customer, actor, fields, purpose):
    user, _ = customer
    with pytest.raises(PurposeNotAllowed):
        personal_data_read(actor=actor, subject=user.subject, instance=user, fields=fields, purpose=purpose)
    assert not AccessLogEntry.objects.exists()


def test_merchant_cannot_read_address_for_another_purpose(customer):
    user, address = customer
    with pytest.raises(PurposeNotAllowed):
        personal_data_read(actor=MERCHANT, subject=user.subject, instance=address, fields=["line1"], purpose=Purpose.ANALYTICS)


def test_a_field_outside_the_data_map_cannot_be_read(customer):
    user, _ = customer
    with pytest.raises(PurposeNotAllowed, match="not personal data"):
        personal_data_read(
            actor=Actor.system("test"), subject=user.subject, instance=user, fields=["is_staff"], purpose=Purpose.SERVICE
        )


def test_a_record_of_another_subject_is_refused(customer):
    _, address = customer
    other = user_create(email="other@example.org")
    with pytest.raises(PurposeNotAllowed):
        personal_data_read(actor=MERCHANT, subject=other.subject, instance=address, fields=["line1"], purpose=Purpose.SHIPPING)
    with pytest.raises(PurposeNotAllowed):
        own_data_reveal(instance=address, fields=["line1"], subject=other.subject)


def test_batch_reads_log_once_per_subject_with_fixed_queries(customer, django_assert_max_num_queries):
    users = [user_create(email=f"batch{i}@example.org", full_name=f"Batch {i}") for i in range(20)]
    loaded = list(User.objects.filter(pk__in=[u.pk for u in users]))
    staff = Actor.staff(users[0], team="AllBuy support")
    with django_assert_max_num_queries(25):
        rows = personal_data_read_many(actor=staff, instances=loaded, fields=["full_name"], purpose=Purpose.SERVICE)
    assert sorted(r["full_name"] for r in rows) == sorted(f"Batch {i}" for i in range(20))
    assert AccessLogEntry.objects.count() == 20


def test_the_access_log_holds_no_personal_values(customer):
    _user, address = customer
    _granted(address, ["line1", "phone"])
    granted_read(actor=MERCHANT, instance=address, fields=["line1", "phone"], purpose=Purpose.SHIPPING)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM privacy_accesslogentry")
        dumped = repr(cursor.fetchall())
    assert "Torstraße" not in dumped
    assert "123456" not in dumped


def test_a_cold_batch_read_unwraps_every_key_with_one_query(django_assert_max_num_queries):
    from allbuy.privacy import crypto

    users = [user_create(email=f"cold{i}@example.org", full_name=f"Cold {i}") for i in range(12)]
    loaded = list(User.objects.filter(pk__in=[u.pk for u in users]).order_by("pk"))
    crypto.key_cache_clear()
    with django_assert_max_num_queries(4):  # data keys; savepoint, access log, release
        rows = personal_data_read_many(
            actor=Actor.system("test"), instances=loaded, fields=["full_name"], purpose=Purpose.SERVICE
        )
    assert [r["full_name"] for r in rows] == [f"Cold {i}" for i in range(12)]
