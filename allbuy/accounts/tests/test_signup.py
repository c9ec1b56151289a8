"""Sign-up, confirmation, sign-in and sign-out through allauth's pages, with the address kept encrypted."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from allbuy.accounts.models import User, is_pseudonym
from allbuy.accounts.tests.assertions import html_of
from allbuy.accounts.tests.factories import PASSWORD, customer_create

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/accounts/[^\s]+)")


def signup(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password})


def link_in(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_sign_up_confirm_sign_in_with_any_case_and_sign_out(client, mailoutbox):
    # when someone signs up
    response = signup(client, "Grace.Hopper@Example.com")
    # then they are asked to confirm, and the mail goes to the real address, never the sign-in key
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    html_of(client.get(response["Location"]))
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["grace.hopper@example.com"]
    assert "users.allbuy.invalid" not in mailoutbox[0].body
    assert "users.allbuy.invalid" not in mailoutbox[0].subject
    # and the account holds the address only encrypted
    user = User.objects.get()
    assert is_pseudonym(user.email)
    assert user.contact_email.reveal() == "grace.hopper@example.com"
    assert EmailAddress.objects.get(user=user).email == user.email

    # when they open the link and confirm
    confirm_url = link_in(mailoutbox[0])
    page = client.get(confirm_url)
    assert page.status_code == 200
    assert "Confirm your email address" in html_of(page)
    confirmed = client.post(confirm_url)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    # then they can sign out, and sign in typing the address in another case
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    signed_in = client.post("/accounts/login/", {"login": "GRACE.hopper@EXAMPLE.COM", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    html_of(client.get("/accounts/profile/"))


def test_sign_in_before_confirming_sends_the_link_again(client, mailoutbox):
    customer_create("linus@example.org", verified=False)
    response = client.post("/accounts/login/", {"login": "linus@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert mailoutbox[-1].to == ["linus@example.org"]


def test_a_second_sign_up_with_the_same_address_in_another_case_makes_no_account(client, mailoutbox):
    # given an account
    customer_create("alan@example.org")
    # when someone signs up with the same address, differently written
    response = signup(client, "ALAN@Example.ORG")
    # then the page looks like a normal sign-up (nobody learns the address has an account) ...
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    # ... but no second account exists, and the owner is told by mail, at the real address
    assert User.objects.count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alan@example.org"]
    assert "already exists" in mailoutbox[0].body
    assert "users.allbuy.invalid" not in mailoutbox[0].body


def test_password_reset_mail_goes_to_the_real_address_and_the_link_works(client, mailoutbox):
    user = customer_create("barbara@example.org")
    response = client.post("/accounts/password/reset/", {"email": "Barbara@Example.org"})
    assert response.status_code == 302
    html_of(client.get(response["Location"]))
    assert mailoutbox[0].to == ["barbara@example.org"]
    assert "users.allbuy.invalid" not in mailoutbox[0].body

    reset_url = link_in(mailoutbox[0])
    form_page = client.get(reset_url, follow=True)
    assert "Choose a new password" in html_of(form_page)
    new_password = "another-long-password-2"
    done = client.post(form_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Enter a valid email address."),
        ("two@@example.org", "Enter a valid email address."),
        ("раypal@example.com", "Enter a valid email address."),  # Cyrillic "р" and "а"
        ("paypal@ехample.com", "plain Latin letters"),  # Cyrillic "е" and "х" in the domain
        ("x" * 10_000 + "@example.org", "at most"),
        ("someone@users.allbuy.invalid", "Enter a real email address."),
    ],
)
def test_sign_up_refuses_bad_addresses_with_a_clear_error(client, mailoutbox, email, message):
    response = signup(client, email)
    assert response.status_code == 200
    html = html_of(response)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_error"' in html
    assert User.objects.count() == 0
    assert mailoutbox == []


def test_sign_in_with_a_homoglyph_of_an_existing_address_fails(client):
    customer_create("paypal@example.com")
    response = client.post("/accounts/login/", {"login": "раypal@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Enter a valid email address." in html_of(response)


def test_very_long_inputs_are_refused_on_sign_in(client):
    response = client.post("/accounts/login/", {"login": "a" * 10_000, "password": "p" * 10_000})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_up_without_a_csrf_token_is_refused_and_stores_nothing(mailoutbox):
    client = Client(enforce_csrf_checks=True)
    response = signup(client, "eve@example.org")
    assert response.status_code == 403
    assert User.objects.count() == 0
    assert mailoutbox == []


def test_sign_up_page_and_login_page_offer_facebook_as_a_post_form(client):
    for url in ("/accounts/login/", "/accounts/signup/"):
        html = html_of(client.get(url))
        assert 'action="/accounts/facebook/login/' in html
        assert "Continue with Facebook" in html
        assert re.search(r'<form method="post" action="/accounts/facebook/login/', html)
