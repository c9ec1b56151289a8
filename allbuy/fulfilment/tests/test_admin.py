"""Staff screens of the marketplace: merchants and staff, carriers and credentials shown once, read-only shipments."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allbuy.accounts.tests.assertions import html_of
from allbuy.accounts.tests.factories import customer_create, staff_login
from allbuy.fulfilment.models import Carrier, CarrierToken, Merchant, MerchantStaff, Shipment, ShipmentStatus, StaffRole
from allbuy.fulfilment.services import carrier_token_check, carrier_token_create, carrier_webhook_secret
from allbuy.fulfilment.tests.factories import carrier_create, merchant_create, order_paid_from, staff_add
from allbuy.orders.tests.factories import NOW
from allbuy.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db

CUSTOMER: dict[str, Any] = {"email": "ada@example.org", "recipient_name": "Ada Lovelace", "line1": "Unter den Linden 1"}
SECRETS = ("ada@example.org", "Ada Lovelace", "Unter den Linden", "10117", "+49301234567")


def _url(model: str, view: str, *args: object) -> str:
    return reverse(f"admin:fulfilment_{model}_{view}", args=args)


@pytest.fixture
def staff_client(client):
    return staff_login(client, "staff@allbuy.example", is_superuser=True)


@pytest.fixture
def viewer_client(client):
    client = staff_login(client, "viewer@allbuy.example")
    client.staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_carrier", "view_carriertoken", "view_shipment", "view_merchant"])
    )
    return client


@pytest.fixture
def dhl():
    return carrier_create("dhl", ["DE", "AT"], "4.10", name="DHL Parcel")


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _no_n_plus_one(client, url: str, add_more, django_assert_max_num_queries) -> None:
    """The list costs no more queries for many rows than for one."""
    client.get(url)  # warm up: session, content types
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add_more()
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert len(response.context["cl"].result_list) > 1


# --- merchants ------------------------------------------------------------------------------------------------------


def test_staff_add_a_merchant_with_an_owner_and_a_packer_chosen_by_account_id(staff_client):
    # given two accounts
    owner, packer = customer_create("owner@shop.example"), customer_create("packer@shop.example")
    form = {
        "name": "Mi Store Berlin",
        "slug": "mi-store-berlin",
        "staff-TOTAL_FORMS": "2",
        "staff-INITIAL_FORMS": "0",
        "staff-0-user": str(owner.pk),
        "staff-0-role": StaffRole.OWNER,
        "staff-1-user": str(packer.pk),
        "staff-1-role": StaffRole.PACKER,
    }

    # when
    page = html_of(staff_client.get(_url("merchant", "add")))
    response = staff_client.post(_url("merchant", "add"), form)

    # then
    assert 'class="vForeignKeyRawIdAdminField"' in page  # an id field, not a list of every account
    assert response.status_code == 302
    merchant = Merchant.objects.get(slug="mi-store-berlin")
    assert set(MerchantStaff.objects.filter(merchant=merchant).values_list("user_id", "role")) == {
        (owner.pk, StaffRole.OWNER),
        (packer.pk, StaffRole.PACKER),
    }


def test_the_same_account_cannot_be_added_twice_to_a_merchant(staff_client):
    user = customer_create("packer@shop.example")
    response = staff_client.post(
        _url("merchant", "add"),
        {
            "name": "Charge & Co.",
            "slug": "charge-co",
            "staff-TOTAL_FORMS": "2",
            "staff-INITIAL_FORMS": "0",
            "staff-0-user": str(user.pk),
            "staff-0-role": StaffRole.OWNER,
            "staff-1-user": str(user.pk),
            "staff-1-role": StaffRole.PACKER,
        },
    )
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert not Merchant.objects.exists()


def test_the_merchant_list_counts_staff_without_a_query_per_merchant(staff_client, django_assert_max_num_queries):
    # given
    first = merchant_create("Mi Store Berlin")
    staff_add(first, customer_create("a@shop.example"), StaffRole.OWNER)

    def more() -> None:
        for n in range(5):
            merchant = merchant_create(f"Shop {n}")
            staff_add(merchant, customer_create(f"p{n}@shop.example"))
            staff_add(merchant, customer_create(f"q{n}@shop.example"))

    # then
    _no_n_plus_one(staff_client, _url("merchant", "changelist"), more, django_assert_max_num_queries)
    html = html_of(staff_client.get(_url("merchant", "changelist")))
    assert "Mi Store Berlin" in html
    assert "p0@shop.example" not in html


# --- carriers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("de, at", ["DE", "AT"]), ("DE AT de", ["DE", "AT"]), ("", [])],
)
def test_staff_add_a_carrier_with_the_countries_it_serves(staff_client, typed, stored):
    response = staff_client.post(
        _url("carrier", "add"), {"name": "DHL Parcel", "code": "dhl", "countries": typed, "price": "4.10"}
    )
    assert response.status_code == 302
    carrier = Carrier.objects.get(code="dhl")
    assert (carrier.countries, str(carrier.price), carrier.webhook_secret) == (stored, "4.10", "")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("countries", "DE, XX, Germany", "Unknown country code(s): XX, GERMANY."),
        ("price", "cheap", "Enter a number."),
        ("code", "", "This field is required."),
    ],
)
def test_a_bad_carrier_shows_what_is_wrong(staff_client, field, value, message):
    form = {"name": "DHL Parcel", "code": "dhl", "countries": "DE", "price": "4.10", field: value}
    response = staff_client.post(_url("carrier", "add"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Carrier.objects.exists()


def test_the_carrier_page_shows_its_countries_and_never_the_webhook_secret(staff_client, dhl):
    from allbuy.fulfilment.services import carrier_webhook_secret_new

    secret = carrier_webhook_secret_new(carrier=dhl)
    html = html_of(staff_client.get(_url("carrier", "change", dhl.pk)))
    assert 'value="DE, AT"' in html
    assert secret not in html
    assert Carrier.objects.get(pk=dhl.pk).webhook_secret not in html


def test_a_new_api_token_is_shown_once_and_only_its_hash_is_kept(staff_client, dhl):
    # when
    response = staff_client.post(_url("carrier", "changelist"), {"action": "new_api_token", "_selected_action": [dhl.pk]})

    # then the page answers with the token in a message
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (message,) = _messages(response)
    found = re.search(r": (abct_[A-Za-z0-9_-]+) — copy it now", message)
    assert found, message
    token = found.group(1)
    assert message.startswith("New API token for DHL Parcel (dhl)")
    row = carrier_token_check(token)
    assert row is not None
    assert row.carrier == dhl
    assert row.scopes == ["shipments:read", "shipments:write"]

    # and it is stored nowhere in clear: not in the row, not in a cookie for the next page
    assert token not in " ".join(str(v) for v in CarrierToken.objects.values_list("prefix", "digest", "label").get())
    assert all(token not in morsel.value for morsel in response.cookies.values())
    assert token not in staff_client.get(_url("carrier", "changelist")).content.decode()
    assert token not in staff_client.get(_url("carriertoken", "changelist")).content.decode()


def test_a_new_webhook_secret_is_shown_once_and_stored_encrypted(staff_client, dhl):
    # when
    response = staff_client.post(_url("carrier", "changelist"), {"action": "new_webhook_secret", "_selected_action": [dhl.pk]})

    # then
    (message,) = _messages(response)
    found = re.search(r": ([A-Za-z0-9_-]{40,}) — copy it now", message)
    assert found, message
    secret = found.group(1)
    stored = Carrier.objects.get(pk=dhl.pk)
    assert stored.webhook_secret.startswith("ab1:")
    assert secret not in stored.webhook_secret
    assert carrier_webhook_secret(stored) == secret
    assert all(secret not in morsel.value for morsel in response.cookies.values())
    assert secret not in staff_client.get(_url("carrier", "change", dhl.pk)).content.decode()


def test_staff_who_may_only_view_carriers_cannot_make_credentials(viewer_client, dhl):
    # given
    page = viewer_client.get(_url("carrier", "changelist")).content.decode()

    # when
    response = viewer_client.post(_url("carrier", "changelist"), {"action": "new_api_token", "_selected_action": [dhl.pk]})

    # then
    assert "new_api_token" not in page
    assert "abct_" not in response.content.decode()
    assert not CarrierToken.objects.exists()
    assert Carrier.objects.get(pk=dhl.pk).webhook_secret == ""


def test_the_carrier_list_does_not_query_per_carrier(staff_client, dhl, django_assert_max_num_queries):
    carrier_token_create(carrier=dhl, scopes=[])

    def more() -> None:
        for n in range(5):
            carrier = carrier_create(f"c{n}", ["FR"], "5.00")
            carrier_token_create(carrier=carrier, scopes=[])

    _no_n_plus_one(staff_client, _url("carrier", "changelist"), more, django_assert_max_num_queries)


# --- tokens ---------------------------------------------------------------------------------------------------------


def test_tokens_are_listed_read_only_and_revoked_from_the_list(staff_client, dhl):
    # given
    token = carrier_token_create(carrier=dhl, scopes=["shipments:read"], label="label printer")
    row = CarrierToken.objects.get()

    # when
    listing = html_of(staff_client.get(_url("carriertoken", "changelist")))
    response = staff_client.post(
        _url("carriertoken", "changelist"), {"action": "revoke", "_selected_action": [row.pk]}, follow=True
    )

    # then
    assert row.prefix in listing
    assert "label printer" in listing
    assert f"Revoked: {row.prefix}." in response.content.decode()
    assert CarrierToken.objects.get().revoked_at is not None
    assert carrier_token_check(token) is None
    assert staff_client.get(_url("carriertoken", "add")).status_code == 403
    assert staff_client.post(_url("carriertoken", "delete", row.pk), {"post": "yes"}).status_code == 403
    assert "delete_selected" not in listing
    change = html_of(staff_client.get(_url("carriertoken", "change", row.pk)))
    assert 'name="label"' not in change  # read-only


def test_the_token_list_does_not_query_per_token(staff_client, dhl, django_assert_max_num_queries):
    carrier_token_create(carrier=dhl, scopes=[])

    def more() -> None:
        for n in range(5):
            carrier_token_create(carrier=carrier_create(f"c{n}", [], "5.00"), scopes=["shipments:read"])

    _no_n_plus_one(staff_client, _url("carriertoken", "changelist"), more, django_assert_max_num_queries)


def test_staff_who_may_only_view_tokens_cannot_revoke_them(viewer_client, dhl):
    carrier_token_create(carrier=dhl, scopes=[])
    row = CarrierToken.objects.get()
    viewer_client.post(_url("carriertoken", "changelist"), {"action": "revoke", "_selected_action": [row.pk]})
    assert CarrierToken.objects.get().revoked_at is None


# --- shipments ------------------------------------------------------------------------------------------------------


@pytest.fixture
def shipment(dhl):
    merchant = merchant_create("Mi Store Berlin")
    order = order_paid_from(merchants={merchant: None}, **CUSTOMER)
    return Shipment.objects.get(order=order)


def test_the_shipment_list_shows_no_personal_data_and_decrypts_nothing(staff_client, shipment):
    # given
    before = AccessLogEntry.objects.count()

    # when
    html = html_of(staff_client.get(_url("shipment", "changelist")))
    page = html_of(staff_client.get(_url("shipment", "change", shipment.pk)))

    # then
    assert str(shipment.public_id) in html
    assert shipment.order.number in html
    assert shipment.tracking_number in html
    assert "Mi Store Berlin" in html
    for secret in SECRETS:
        assert secret not in html
        assert secret not in page
    assert AccessLogEntry.objects.count() == before


def test_shipments_are_filtered_by_status_and_never_changed_or_deleted_here(staff_client, shipment, dhl):
    # given
    other = Shipment.objects.get(order=order_paid_from(merchants={merchant_create("Charge & Co."): None}))
    Shipment.objects.filter(pk=other.pk).update(status=ShipmentStatus.PACKED)

    # when
    ready = staff_client.get(_url("shipment", "changelist"), {"status__exact": ShipmentStatus.READY})
    packed = staff_client.get(_url("shipment", "changelist"), {"status__exact": ShipmentStatus.PACKED})

    # then
    assert list(ready.context["cl"].result_list) == [shipment]
    assert list(packed.context["cl"].result_list) == [other]
    assert staff_client.post(_url("shipment", "delete", shipment.pk), {"post": "yes"}).status_code == 403
    assert staff_client.get(_url("shipment", "add")).status_code == 403
    assert staff_client.post(_url("shipment", "change", shipment.pk), {"status": "delivered"}).status_code == 403
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.READY


def test_the_shipment_list_does_not_query_per_shipment(staff_client, shipment, django_assert_max_num_queries):
    def more() -> None:
        for n in range(3):
            order_paid_from(merchants={merchant_create(f"Shop {n}"): None, merchant_create(f"Other {n}"): None}, now=NOW)

    _no_n_plus_one(staff_client, _url("shipment", "changelist"), more, django_assert_max_num_queries)
