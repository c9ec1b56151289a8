"""Changing the sign-in address: a link to the new address, confirmed by the signed-in owner typing it again."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import signing

from allbuy.accounts.models import User
from allbuy.accounts.services import EMAIL_CHANGE_SALT
from allbuy.accounts.tests.assertions import html_of
from allbuy.accounts.tests.conftest import MODEL_BACKEND
from allbuy.accounts.tests.factories import PASSWORD, customer_create

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/accounts/email/confirm/[^\s]+/)")


def link_in(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(1)


def ask(client, email: str, password: str = PASSWORD):
    return client.post("/accounts/email/", {"email": email, "password": password})


def test_the_email_page_shows_the_real_address_not_the_sign_in_key(signed_in):
    html = html_of(signed_in.get("/accounts/email/"))
    assert "ada@example.org" in html
    assert "Confirmed" in html


def test_change_the_sign_in_address(signed_in, customer, mailoutbox, django_capture_on_commit_callbacks, client):
    # when the owner asks for a new address
    response = ask(signed_in, "Ada.King@Example.net")
    assert response.status_code == 302
    assert "We sent a link to ada.king@example.net" in html_of(signed_in.get("/accounts/email/"))
    # then a link goes to the new address; it names no address itself
    assert mailoutbox[0].to == ["ada.king@example.net"]
    path = link_in(mailoutbox[0].body)
    assert "example" not in signing.loads(path.split("/")[-2], salt=EMAIL_CHANGE_SALT)["k"]
    # and nothing changes until it is followed
    assert User.objects.get(pk=customer.pk).contact_email.reveal() == "ada@example.org"

    # when the owner opens it and types the address again
    assert "Type the new address once more" in html_of(signed_in.get(path))
    with django_capture_on_commit_callbacks(execute=True):
        done = signed_in.post(path, {"email": "ada.king@example.net"})
    assert done.status_code == 302
    # then the account signs in with the new address only, and the old address is told
    user = User.objects.get(pk=customer.pk)
    assert user.contact_email.reveal() == "ada.king@example.net"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [(user.email, True, True)]
    assert mailoutbox[-1].to == ["ada@example.org"]
    assert "ada.king@example.net" in mailoutbox[-1].body
    signed_in.logout()
    assert client.post("/accounts/login/", {"login": "ada@example.org", "password": PASSWORD}).status_code == 200
    assert client.post("/accounts/login/", {"login": "ADA.KING@example.net", "password": PASSWORD}).status_code == 302
    # and the link cannot be used twice
    client.force_login(user, backend=MODEL_BACKEND)
    assert client.get(path).status_code == 400


def test_a_wrong_password_or_bad_address_is_refused(signed_in, mailoutbox):
    assert "That is not your current password." in html_of(ask(signed_in, "new@example.net", "wrong-password"))
    assert "Enter a valid email address." in html_of(ask(signed_in, "раypal@example.com"))
    assert "That is already your sign-in email address." in html_of(ask(signed_in, "ADA@example.org"))
    assert mailoutbox == []


def test_an_address_of_another_account_gets_a_warning_and_the_page_says_the_same_as_usual(signed_in, customer, mailoutbox):
    customer_create("taken@example.org")
    response = ask(signed_in, "taken@example.org")
    assert response.status_code == 302
    assert mailoutbox[0].to == ["taken@example.org"]
    assert "already belongs to an AllBuy account" in mailoutbox[0].body
    assert "/accounts/email/confirm/" not in mailoutbox[0].body


def test_the_confirmation_needs_the_same_address_and_the_same_account(signed_in, customer, mailoutbox):
    ask(signed_in, "ada.king@example.net")
    path = link_in(mailoutbox[0].body)
    wrong = signed_in.post(path, {"email": "someone.else@example.net"})
    assert "not the address the link was sent to" in html_of(wrong)
    assert User.objects.get(pk=customer.pk).contact_email.reveal() == "ada@example.org"
    # another account cannot use the link
    signed_in.force_login(customer_create("eve@example.org"), backend=MODEL_BACKEND)
    other = signed_in.get(path)
    assert other.status_code == 400
    assert "for another account" in html_of(other)


def test_a_forged_link_is_refused(signed_in):
    response = signed_in.get("/accounts/email/confirm/not-a-token/")
    assert response.status_code == 400
    assert "not valid" in html_of(response)
