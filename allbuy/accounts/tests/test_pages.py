"""Every account page: in the shop's layout, accessible, and never showing a sign-in key."""

from pathlib import Path

import pytest
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django import forms
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.template import RequestContext, Template
from django.template.loader import get_template, render_to_string
from django.test import Client

from allbuy.accounts.identity import email_pseudonym
from allbuy.accounts.models import User
from allbuy.accounts.tests.assertions import html_of
from allbuy.accounts.tests.factories import address_add, customer_create

pytestmark = pytest.mark.django_db


def test_allauth_templates_are_overridden_by_allbuys():
    # App templates are searched in INSTALLED_APPS order: allbuy.accounts must come before allauth.
    for name in ("account/login.html", "allauth/layouts/base.html", "account/messages/email_confirmation_sent.txt"):
        origin = get_template(name).template.origin.name  # type: ignore[attr-defined]
        expected = Path(apps.get_app_config("accounts").path, "templates", name)
        assert Path(origin) == expected, f"{name} comes from {origin}: list 'allbuy.accounts' before 'allauth' in INSTALLED_APPS"


SIGNED_OUT_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/",
    "/accounts/password/reset/key/1-bad-key/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-key/",
    "/accounts/inactive/",
    "/accounts/3rdparty/login/cancelled/",
    "/accounts/3rdparty/login/error/",
    "/accounts/facebook/login/",
]
SIGNED_IN_PAGES = [
    "/accounts/profile/",
    "/accounts/addresses/",
    "/accounts/addresses/new/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/3rdparty/",
    "/accounts/password/reset/",
]


@pytest.mark.parametrize("url", SIGNED_OUT_PAGES)
def test_signed_out_pages_are_in_the_shops_layout_and_show_no_sign_in_key(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == (401 if url.endswith("/login/error/") else 200)
    html = html_of(response)
    assert 'class="site-header"' in html
    assert "account-shell" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "Sign in" in html  # the header's account corner


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_pages_show_no_sign_in_key(signed_in, customer, url):
    address_add(customer)
    response = signed_in.get(url)
    assert response.status_code == 200
    html = html_of(response)
    assert "My account" in html
    assert 'action="/accounts/logout/"' in html


def test_address_pages_show_no_sign_in_key(signed_in, customer):
    address = address_add(customer)
    for url in (f"/accounts/addresses/{address.pk}/edit/", f"/accounts/addresses/{address.pk}/delete/"):
        html_of(signed_in.get(url))


def test_the_header_offers_sign_in_or_the_account_menu(client, signed_in):
    anonymous = html_of(Client().get("/accounts/login/"))
    assert 'href="/accounts/login/"' in anonymous
    assert "My account" not in anonymous
    html = html_of(signed_in.get("/accounts/profile/"))
    for link in ('href="/accounts/profile/"', 'href="/accounts/addresses/"', 'href="/accounts/privacy/"'):
        assert link in html
    assert '<form method="post" action="/accounts/logout/">' in html


def test_the_header_account_corner_stays_out_of_documents_rendered_without_a_request():
    # Shared, cached pages are rendered without a request: nothing about a visitor may end up in them.
    html = render_to_string("accounts/_header_account.html", {"user": object()})
    assert html.strip() == ""


def test_logout_confirmation_then_post(signed_in):
    assert "Do you want to sign out" in html_of(signed_in.get("/accounts/logout/"))
    response = signed_in.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session


def test_password_change_page_changes_the_password(signed_in, customer):
    new = "a-brand-new-password-3"
    response = signed_in.post(
        "/accounts/password/change/", {"oldpassword": "correct-horse-battery-9", "password1": new, "password2": new}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password(new)
    assert "Your password is changed." in html_of(signed_in.get("/accounts/profile/"))


def test_facebook_cancel_page_says_so(client):
    html = html_of(client.get("/accounts/3rdparty/login/cancelled/"))
    assert "You cancelled signing in with Facebook" in html


def test_connections_page_offers_to_connect_facebook_with_a_post_form(signed_in):
    html = html_of(signed_in.get("/accounts/3rdparty/"))
    assert "Facebook is not connected" in html
    assert '<form method="post" action="/accounts/facebook/login/?process=connect"' in html


def test_connections_page_lists_a_connected_account_without_its_id(signed_in, customer):
    SocialAccount.objects.create(user=customer, provider="facebook", uid="0123456789abcdef")
    html = html_of(signed_in.get("/accounts/3rdparty/"))
    assert "Facebook, connected" in html
    assert "0123456789abcdef" not in html


def _pending_facebook_signup(client: Client, rf) -> None:
    provider = get_social_adapter().get_provider(rf.get("/"), "facebook")
    account = SocialAccount(provider="facebook", uid="hashed-uid")
    sociallogin = SocialLogin(user=User(), account=account, email_addresses=[], provider=provider)
    session = client.session
    session["socialaccount_sociallogin"] = sociallogin.serialize()
    session.save()


def test_facebook_sign_up_without_an_email_asks_for_one_and_stores_it_encrypted(client, rf, mailoutbox):
    _pending_facebook_signup(client, rf)
    page = html_of(client.get("/accounts/3rdparty/signup/"))
    assert "Facebook did not share an email address" in page
    assert "sign in with your password" in page
    response = client.post("/accounts/3rdparty/signup/", {"email": "Hedy@Example.org"})
    assert response.status_code == 302
    user = User.objects.get()
    assert user.contact_email.reveal() == "hedy@example.org"
    assert SocialAccount.objects.get().user == user
    assert mailoutbox[-1].to == ["hedy@example.org"]


def test_facebook_sign_up_with_a_taken_email_makes_no_account_and_tells_the_owner_how_to_connect(client, rf, mailoutbox):
    customer_create("hedy@example.org")
    _pending_facebook_signup(client, rf)
    response = client.post("/accounts/3rdparty/signup/", {"email": "hedy@example.org"})
    assert response.status_code == 302
    assert User.objects.count() == 1
    assert mailoutbox[-1].to == ["hedy@example.org"]
    body = " ".join(mailoutbox[-1].body.split()).lower()
    assert "sign in with your email address and password first, then connect facebook" in body
    assert "users.allbuy.invalid" not in body


def test_the_social_sign_up_page_explains_a_taken_address_and_never_prints_the_sign_in_key(rf):
    # allauth fills the form from the account, which holds only the address's blind index
    key = email_pseudonym("hedy@example.org")
    form = SimpleEmailForm({"email": key})
    form.add_error("email", "An account already exists with this email address.")
    request = rf.get("/accounts/3rdparty/signup/")
    request.user = AnonymousUser()
    html = render_to_string("socialaccount/signup.html", {"form": form}, request=request)
    assert "An AllBuy account already uses this email address." in html
    assert "sign in with your email address and password first" in html
    assert key not in html
    assert "users.allbuy.invalid" not in html


class SimpleEmailForm(forms.Form):
    email = forms.CharField()


def test_own_contact_email_tag_gives_the_signed_in_person_their_own_address(rf, customer):
    template = Template("{% load allbuy_accounts %}[{% own_contact_email %}]")
    request = rf.get("/")
    request.user = customer
    assert template.render(RequestContext(request)) == "[ada@example.org]"
    request.user = AnonymousUser()
    assert template.render(RequestContext(request)) == "[]"
