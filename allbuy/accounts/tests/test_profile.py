"""The profile page: name and phone, stored encrypted, checked, and shown escaped."""

import pytest
from django.test import Client

from allbuy.accounts.models import User
from allbuy.accounts.tests.assertions import html_of
from allbuy.accounts.tests.conftest import MODEL_BACKEND

pytestmark = pytest.mark.django_db


def test_profile_needs_sign_in(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/accounts/profile/")


def test_profile_shows_the_real_sign_in_address_and_current_details(signed_in):
    response = signed_in.get("/accounts/profile/")
    html = html_of(response)
    assert "ada@example.org" in html
    assert 'href="/accounts/email/"' in html
    assert 'value="Ada Lovelace"' in html
    assert 'value="+442071234567"' in html
    assert 'autocomplete="name"' in html
    assert 'autocomplete="tel"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_profile_update_stores_encrypted_and_normalises_the_phone(signed_in, customer):
    response = signed_in.post("/accounts/profile/", {"full_name": "  Augusta Ada King  ", "phone": "+49 (30) 123-4567"})
    assert response.status_code == 302
    user = User.objects.get(pk=customer.pk)
    assert user.full_name.reveal() == "Augusta Ada King"
    assert user.phone.reveal() == "+49301234567"
    page = html_of(signed_in.get(response["Location"]))
    assert "Your profile is saved." in page


def test_a_script_in_the_name_is_stored_as_typed_and_shown_escaped(signed_in, customer):
    name = "<script>alert('x')</script> Ada"
    signed_in.post("/accounts/profile/", {"full_name": name, "phone": ""})
    assert User.objects.get(pk=customer.pk).full_name.reveal() == name
    html = html_of(signed_in.get("/accounts/profile/"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Ada" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"full_name": "x" * 10_000, "phone": ""}, "full_name", "at most 100 characters"),
        ({"full_name": "Ada\x00Lovelace", "phone": ""}, "full_name", "Null characters are not allowed."),
        ({"full_name": "Ada\u202eLovelace", "phone": ""}, "full_name", "control characters"),
        ({"full_name": "Ada\nLovelace", "phone": ""}, "full_name", "control characters"),
        ({"full_name": "Ada", "phone": "030 1234567"}, "phone", "Start the number with its country code"),
        ({"full_name": "Ada", "phone": "+49 123"}, "phone", "not a valid phone number"),
        ({"full_name": "Ada", "phone": "call me maybe"}, "phone", "Start the number with its country code"),
        ({"full_name": "Ada", "phone": "9" * 10_000}, "phone", "at most 40 characters"),
    ],
)
def test_profile_errors_are_shown_on_their_field_and_nothing_is_stored(signed_in, customer, data, field, message):
    response = signed_in.post("/accounts/profile/", data)
    assert response.status_code == 200
    html = html_of(response)
    assert message in html
    assert f'aria-describedby="id_{field}_error' in html or f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
    assert f'id="id_{field}_error"' in html
    user = User.objects.get(pk=customer.pk)
    assert user.full_name.reveal() == "Ada Lovelace"
    assert user.phone.reveal() == "+442071234567"


def test_profile_post_without_csrf_token_is_refused_and_stores_nothing(customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer, backend=MODEL_BACKEND)
    response = client.post("/accounts/profile/", {"full_name": "Mallory", "phone": ""})
    assert response.status_code == 403
    assert User.objects.get(pk=customer.pk).full_name.reveal() == "Ada Lovelace"
