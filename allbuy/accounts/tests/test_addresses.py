"""The address book: add, edit, delete, one default; each person sees only their own addresses."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from allbuy.accounts.models import Address
from allbuy.accounts.services import address_delete, address_set_default
from allbuy.accounts.tests.assertions import html_of
from allbuy.accounts.tests.conftest import MODEL_BACKEND
from allbuy.accounts.tests.factories import address_add, customer_create

pytestmark = pytest.mark.django_db

VALID = {
    "recipient_name": "Ada Lovelace",
    "line1": "10 Downing Street",
    "line2": "",
    "city": "London",
    "region": "",
    "postcode": "sw1a2aa",
    "country": "GB",
    "phone": "020 7925 0918",
}


def revealed(address: Address) -> dict[str, str]:
    fresh = Address.objects.get(pk=address.pk)
    return {name: getattr(fresh, name).reveal() if getattr(fresh, name) else "" for name in VALID}


def test_address_pages_need_sign_in(client, customer):
    address = address_add(customer)
    for url in (
        "/accounts/addresses/",
        "/accounts/addresses/new/",
        f"/accounts/addresses/{address.pk}/edit/",
        f"/accounts/addresses/{address.pk}/delete/",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_add_an_address_normalises_it_and_the_first_becomes_the_default(signed_in, customer):
    page = html_of(signed_in.get("/accounts/addresses/new/"))
    assert 'autocomplete="shipping postal-code"' in page
    assert '<option value="GB">United Kingdom</option>' in page

    response = signed_in.post("/accounts/addresses/new/", VALID)
    assert response.status_code == 302
    address = Address.objects.get(user=customer)
    assert address.is_default
    assert address.subject_id == customer.subject_id
    assert revealed(address) == {**VALID, "postcode": "SW1A 2AA", "phone": "+442079250918"}
    listing = html_of(signed_in.get("/accounts/addresses/"))
    assert "SW1A 2AA London" in listing
    assert "United Kingdom" in listing
    assert "Default" in listing


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"recipient_name": ""}, "recipient_name", "This field is required."),
        ({"recipient_name": "x" * 10_000}, "recipient_name", "at most 100 characters"),
        ({"line1": "y" * 10_000}, "line1", "at most 200 characters"),
        ({"line1": "Main St\r\n1"}, "line1", "control characters"),
        ({"city": "Lon\x07don"}, "city", "control characters"),
        ({"country": "XX"}, "country", "Choose a country from the list."),
        ({"country": ""}, "country", "Choose a country."),
        ({"postcode": "12345"}, "postcode", "not a valid postcode for United Kingdom (for example SW1A 1AA)"),
        ({"postcode": ""}, "postcode", "addresses in United Kingdom need one"),
        ({"country": "DE", "postcode": "1011", "phone": "+49 30 1234567"}, "postcode", "valid postcode for Germany"),
        ({"country": "HK", "postcode": "999077", "phone": "+852 2123 4567"}, "postcode", "have no postcode"),
        ({"country": "US", "postcode": "94105", "phone": "+1 415 555 2671"}, "region", "need it"),
        ({"phone": ""}, "phone", "This field is required."),
        ({"phone": "12"}, "phone", "not a valid phone number for United Kingdom"),
    ],
)
def test_address_errors_are_shown_on_their_field_and_nothing_is_stored(signed_in, customer, change, field, message):
    response = signed_in.post("/accounts/addresses/new/", {**VALID, **change})
    assert response.status_code == 200
    html = html_of(response)
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert "Please correct the" in html
    assert not Address.objects.filter(user=customer).exists()


def test_a_script_in_an_address_is_stored_as_typed_and_escaped_everywhere(signed_in, customer):
    script = "<script>alert(1)</script>"
    signed_in.post("/accounts/addresses/new/", {**VALID, "recipient_name": script, "line2": script})
    address = Address.objects.get(user=customer)
    assert revealed(address)["recipient_name"] == script
    for url in ("/accounts/addresses/", f"/accounts/addresses/{address.pk}/edit/", f"/accounts/addresses/{address.pk}/delete/"):
        html = html_of(signed_in.get(url))
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_edit_an_address(signed_in, customer):
    address = address_add(customer)
    form = html_of(signed_in.get(f"/accounts/addresses/{address.pk}/edit/"))
    assert 'value="Unter den Linden 1"' in form
    assert '<option value="DE" selected>Germany</option>' in form
    response = signed_in.post(
        f"/accounts/addresses/{address.pk}/edit/", {**VALID, "country": "FR", "postcode": "75 001", "phone": "01 42 60 37 14"}
    )
    assert response.status_code == 302
    assert revealed(address)["postcode"] == "75001"
    assert revealed(address)["phone"] == "+33142603714"


def test_a_failed_edit_changes_nothing(signed_in, customer):
    address = address_add(customer)
    before = revealed(address)
    response = signed_in.post(f"/accounts/addresses/{address.pk}/edit/", {**VALID, "city": "", "phone": "nope"})
    assert response.status_code == 200
    assert revealed(address) == before


def test_delete_asks_for_confirmation_then_deletes_on_post(signed_in, customer):
    address = address_add(customer)
    confirm = signed_in.get(f"/accounts/addresses/{address.pk}/delete/")
    assert "Delete this address?" in html_of(confirm)
    assert Address.objects.filter(pk=address.pk).exists()
    response = signed_in.post(f"/accounts/addresses/{address.pk}/delete/")
    assert response.status_code == 302
    assert not Address.objects.filter(pk=address.pk).exists()


def test_deleting_the_default_makes_the_oldest_remaining_address_the_default(customer):
    first = address_add(customer, city="Berlin")
    second = address_add(customer, city="Hamburg", postcode="20095")
    third = address_add(customer, city="Munich", postcode="80331")
    address_set_default(user=customer, address_id=third.pk)
    address_delete(user=customer, address_id=third.pk)
    assert list(Address.objects.filter(user=customer, is_default=True).values_list("pk", flat=True)) == [first.pk]
    assert Address.objects.filter(pk=second.pk, is_default=False).exists()


def test_set_default_keeps_exactly_one_default(signed_in, customer):
    first = address_add(customer)
    second = address_add(customer, city="Hamburg", postcode="20095")
    assert Address.objects.get(pk=first.pk).is_default
    response = signed_in.post(f"/accounts/addresses/{second.pk}/default/")
    assert response.status_code == 302
    assert list(Address.objects.filter(user=customer, is_default=True).values_list("pk", flat=True)) == [second.pk]
    # and it is a POST-only action
    assert signed_in.get(f"/accounts/addresses/{first.pk}/default/").status_code == 405


def test_adding_a_new_default_moves_the_default(signed_in, customer):
    first = address_add(customer)
    signed_in.post("/accounts/addresses/new/", {**VALID, "is_default": "on"})
    defaults = Address.objects.filter(user=customer, is_default=True)
    assert defaults.count() == 1
    assert defaults.get().pk != first.pk


def test_another_persons_address_is_not_found_for_every_action(signed_in, customer):
    stranger = customer_create("mallory@example.org")
    theirs = address_add(stranger, recipient_name="Mallory Secret")
    address_add(customer)
    for method, url in (
        ("get", f"/accounts/addresses/{theirs.pk}/edit/"),
        ("post", f"/accounts/addresses/{theirs.pk}/edit/"),
        ("get", f"/accounts/addresses/{theirs.pk}/delete/"),
        ("post", f"/accounts/addresses/{theirs.pk}/delete/"),
        ("post", f"/accounts/addresses/{theirs.pk}/default/"),
        ("get", "/accounts/addresses/999999/edit/"),
    ):
        data = VALID if method == "post" else None
        response = getattr(signed_in, method)(url, data)
        assert response.status_code == 404, (method, url)
        assert "Mallory" not in response.content.decode()
    assert Address.objects.filter(pk=theirs.pk, is_default=True).exists()
    assert revealed(theirs)["recipient_name"] == "Mallory Secret"
    assert "Mallory" not in html_of(signed_in.get("/accounts/addresses/"))


def _queries_for_address_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/addresses/")
    assert response.status_code == 200
    return len(queries)


def test_the_address_list_costs_the_same_queries_for_n_and_3n_addresses(client):
    few, many = customer_create("few@example.org"), customer_create("many@example.org")
    for n in range(2):
        address_add(few, line1=f"Street {n}")
    for n in range(6):
        address_add(many, line1=f"Street {n}")

    client.force_login(few, backend=MODEL_BACKEND)
    _queries_for_address_list(client)  # warm the per-process data-key cache like any later request
    cost_few = _queries_for_address_list(client)
    client.force_login(many, backend=MODEL_BACKEND)
    _queries_for_address_list(client)
    cost_many = _queries_for_address_list(client)
    assert cost_few == cost_many
    assert cost_many <= 6


def test_adding_an_address_without_a_csrf_token_is_refused_and_stores_nothing(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer, backend=MODEL_BACKEND)
    assert client.post("/accounts/addresses/new/", VALID).status_code == 403
    assert not Address.objects.filter(user=customer).exists()
