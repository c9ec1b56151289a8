"""Facebook login, end to end in Chromium, against the Facebook stand-in on 127.0.0.1 (tests/e2e/facebook_standin.py).

What AllBuy may keep of a Facebook profile is the name and the email address, both encrypted, and the Facebook
account id only as a keyed hash; never the rest of the profile, never the tokens. Each journey checks that in the
database after going through the real pages: AllBuy's login page, Facebook's dialog, and back.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.conf import settings
from django.db import connection

from allbuy.accounts.identity import email_pseudonym
from allbuy.accounts.models import PSEUDONYM_DOMAIN, User
from allbuy.accounts.services import user_create
from tests.e2e.conftest import screenshot
from tests.e2e.facebook_standin import FacebookStandIn, Persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LUCIA = Persona(id="10229876543210987", name="Lucía Fernández Ortega", email="lucia.fernandez@example.org")
MARTIN = Persona(
    id="10160011223344556",
    name="Martin Kowalczyk",
    email="martin.kowalczyk@example.net",
    birthday="11/02/1979",
    location={"id": "106078429431815", "name": "Gdańsk, Poland"},
    friends={"data": [{"id": "10150999888777666", "name": "Zofia Wiśniewska-Brandt"}], "summary": {"total_count": 12}},
)
MARTIN_PASSWORD = "amber-lighthouse-42"
DIALOG_HEADING = "Log in to AllBuy with Facebook"
ALREADY_IN_USE = re.compile(
    r"already (uses|used|in use|registered|exists|taken|belongs)|(is|are) (already )?(in use|taken|registered)", re.IGNORECASE
)


class BrowserTraffic:
    """Everything the browser sent, to prove the app secret and Facebook's tokens never pass through it."""

    def __init__(self, page: Any) -> None:
        self.sent: list[str] = []
        page.on("request", lambda request: self.sent.append(f"{request.method} {request.url} {request.post_data or ''}"))

    def assert_never_sent(self, *values: str) -> None:
        for value in values:
            leaked = [line for line in self.sent if value in line]
            assert not leaked, f"the browser sent {value!r}: {leaked}"


# --- steps -------------------------------------------------------------------------------------------------------------


def open_facebook_dialog(page: Any, live_server: Any, facebook: FacebookStandIn, persona: Persona) -> None:
    """From AllBuy's sign-in page, "Continue with Facebook", up to Facebook's permission dialog."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name=re.compile(r"Continue with Facebook", re.IGNORECASE)).click()
    expect_dialog(page, facebook, persona)


def open_facebook_connect_dialog(page: Any, live_server: Any, facebook: FacebookStandIn, persona: Persona) -> None:
    """From the signed-in visitor's connected accounts page, connect Facebook, up to Facebook's dialog."""
    page.goto(f"{live_server.url}/accounts/3rdparty/")
    page.get_by_role("button", name=re.compile(r"Connect Facebook", re.IGNORECASE)).click()
    expect_dialog(page, facebook, persona)


def expect_dialog(page: Any, facebook: FacebookStandIn, persona: Persona) -> None:
    page.wait_for_url(f"{facebook.authorize_url}?**")
    page.get_by_role("heading", name=DIALOG_HEADING).wait_for()
    assert page.get_by_test_id("persona-name").inner_text() == persona.name
    assert page.get_by_test_id("persona-email").inner_text() == persona.email


def continue_in_dialog(page: Any, live_server: Any) -> None:
    page.get_by_role("button", name=re.compile(r"^Continue as ")).click()
    page.wait_for_url(f"{live_server.url}/**")
    page.wait_for_load_state()
    assert_no_sign_in_key_shown(page)


def assert_no_sign_in_key_shown(page: Any) -> None:
    """The sign-in key (the address's blind index, "…@users.allbuy.invalid") is internal: no page shows it."""
    assert PSEUDONYM_DOMAIN not in page.content(), f"{page.url} shows a sign-in key instead of an address"


def cancel_in_dialog(page: Any, live_server: Any) -> None:
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(f"{live_server.url}/**")
    page.wait_for_load_state()


def is_signed_in(page: Any, live_server: Any) -> bool:
    """A signed-in visitor can open their connected accounts page; anyone else is sent to sign in."""
    page.goto(f"{live_server.url}/accounts/3rdparty/")
    return page.url.startswith(f"{live_server.url}/accounts/3rdparty/")


def sign_out(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/accounts/logout/")
    page.get_by_role("button", name=re.compile(r"sign out|log out", re.IGNORECASE)).click()
    page.wait_for_load_state()
    assert not is_signed_in(page, live_server)


def sign_in_with_password(page: Any, live_server: Any, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()
    assert is_signed_in(page, live_server)


# --- what the database holds ---------------------------------------------------------------------------------------------


def database_text() -> list[tuple[str, str]]:
    """Every value of every column of every table, as (table, text), for scanning."""
    found: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor, include_views=False):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (table names from introspection)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    if value is not None:
                        found.append((table, str(value)))
    return found


def assert_stored_nowhere(values: list[str]) -> None:
    text = database_text()
    assert len(text) > 0
    for value in values:
        # as typed, and as JSON writes it with non-ASCII letters escaped ("Gdańsk" → "Gda\\u0144sk")
        forms = {value.lower(), json.dumps(value)[1:-1].lower()}
        hits = sorted({table for table, stored in text if any(form in stored.lower() for form in forms)})
        assert not hits, f"{value!r} is stored in plaintext in {hits}"


def assert_kept_only_what_the_data_map_allows(user: User, persona: Persona) -> None:
    assert user.contact_email.reveal() == persona.email
    assert user.full_name.reveal() == persona.name
    assert user.email == email_pseudonym(persona.email)
    account = SocialAccount.objects.get(user=user, provider="facebook")
    assert account.uid != persona.id
    assert persona.id not in account.uid
    assert account.extra_data == {}
    assert not SocialToken.objects.exists()
    # Neither the over-shared profile (birthday, location, friends…) nor the account id, the address or the name in
    # plaintext: not in any column of any table.
    assert_stored_nowhere([*persona.private_values(), persona.id, persona.email, persona.name])


def assert_secret_stayed_on_the_server(facebook: FacebookStandIn, traffic: BrowserTraffic) -> None:
    secret = settings.FACEBOOK_APP_SECRET
    token_requests = facebook.requests_to("/graph/oauth/access_token")
    assert token_requests, "AllBuy never exchanged the code for a token"
    assert all(not r.from_browser for r in token_requests)
    assert all(r.params.get("client_secret") == secret for r in token_requests)
    assert all(secret not in r.text() for r in facebook.requests if r.from_browser)
    issued = [r for r in facebook.requests_to("/graph/me") if r.status == 200]
    assert issued, "AllBuy never asked Graph /me for the profile"
    tokens = [r.params["access_token"] for r in issued]
    traffic.assert_never_sent(secret, *tokens)


# --- journeys ---------------------------------------------------------------------------------------------------------------


def test_new_user_signs_up_with_facebook_and_returns(page, live_server, facebook):
    # given a visitor who is logged in to Facebook as Lucía and has never been to AllBuy
    facebook.use(LUCIA)
    traffic = BrowserTraffic(page)

    # when she chooses "Continue with Facebook" on AllBuy's sign-in page
    open_facebook_dialog(page, live_server, facebook, LUCIA)
    # then Facebook's dialog asks for her email address and public profile only
    assert sorted(page.get_by_test_id("scopes").inner_text().split()) == ["email", "public_profile"]
    screenshot(page, "facebook-01-dialog")

    # when she continues
    continue_in_dialog(page, live_server)
    screenshot(page, "facebook-02-new-user-signed-in")

    # then she is back on AllBuy and signed in
    assert is_signed_in(page, live_server)
    # and AllBuy has one account for her, holding only her name and address, encrypted, and a hash of her Facebook id
    user = User.objects.get()
    assert_kept_only_what_the_data_map_allows(user, LUCIA)
    # and the app secret and Facebook's access token never went through her browser
    assert_secret_stayed_on_the_server(facebook, traffic)
    # and the authorisation code worked exactly once
    assert [r.status for r in facebook.requests_to("/graph/oauth/access_token")] == [200]

    # when she signs out and signs in with Facebook again
    sign_out(page, live_server)
    open_facebook_dialog(page, live_server, facebook, LUCIA)
    continue_in_dialog(page, live_server)
    screenshot(page, "facebook-03-returning-user-signed-in")

    # then she is signed in to the same account, with no duplicate account or Facebook link
    assert is_signed_in(page, live_server)
    assert list(User.objects.values_list("pk", flat=True)) == [user.pk]
    assert SocialAccount.objects.filter(user=user).count() == 1
    assert SocialAccount.objects.count() == 1
    assert_kept_only_what_the_data_map_allows(User.objects.get(), LUCIA)
    assert_secret_stayed_on_the_server(facebook, traffic)


def test_visitor_who_denies_permission_is_not_signed_in(page, live_server, facebook):
    # given a visitor logged in to Facebook who starts "Continue with Facebook"
    facebook.use(LUCIA)
    open_facebook_dialog(page, live_server, facebook, LUCIA)

    # when they cancel in Facebook's dialog
    cancel_in_dialog(page, live_server)
    screenshot(page, "facebook-04-cancelled")

    # then AllBuy says plainly that the Facebook sign-in was cancelled
    assert page.url.startswith(f"{live_server.url}/")
    assert page.get_by_role("heading", name=re.compile(r"cancel", re.IGNORECASE)).first.is_visible()
    # and nobody is signed in, and nothing was created or asked of Facebook's Graph API
    assert not is_signed_in(page, live_server)
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
    assert not EmailAddress.objects.exists()
    assert facebook.requests_to("/graph/oauth/access_token") == []
    assert facebook.requests_to("/graph/me") == []
    assert [r.params.get("decision") for r in facebook.requests_to("/dialog/oauth/decide")] == ["cancel"]


def test_facebook_address_of_an_existing_account_needs_its_password_first(page, live_server, facebook):
    # given Martin, who has an AllBuy account with a password and a verified address
    martin = user_create(email=MARTIN.email, password=MARTIN_PASSWORD, full_name="Martin K.")
    EmailAddress.objects.create(user=martin, email=martin.email, verified=True, primary=True)
    before = User.objects.values().get(pk=martin.pk)
    # and a Facebook account with the same address (which may or may not be Martin's)
    facebook.use(MARTIN)
    traffic = BrowserTraffic(page)

    # when the visitor signs in with that Facebook account
    open_facebook_dialog(page, live_server, facebook, MARTIN)
    continue_in_dialog(page, live_server)
    screenshot(page, "facebook-05-existing-address")

    # then AllBuy does not sign them in to Martin's account, nor make a second account for the address
    # and says why: this address already belongs to an account (not a generic "if you have an account" note), so sign in
    # with the password first and connect Facebook from the account
    body = page.locator("main").inner_text()
    assert ALREADY_IN_USE.search(body), f"no message that the address already has an account: {body}"
    assert re.search(r"password", body, re.IGNORECASE), body
    assert re.search(r"connect", body, re.IGNORECASE), body
    assert re.search(r"facebook", body, re.IGNORECASE), body
    assert not is_signed_in(page, live_server)
    assert User.objects.count() == 1
    assert User.objects.filter(email=email_pseudonym(MARTIN.email)).count() == 1
    assert User.objects.values().get(pk=martin.pk) == before
    assert not SocialAccount.objects.exists()
    assert list(EmailAddress.objects.values_list("user_id", "email", "verified")) == [(martin.pk, martin.email, True)]

    # when Martin signs in with his password and connects Facebook from his connected accounts
    sign_in_with_password(page, live_server, MARTIN.email, MARTIN_PASSWORD)
    open_facebook_connect_dialog(page, live_server, facebook, MARTIN)
    continue_in_dialog(page, live_server)
    screenshot(page, "facebook-06-connected")

    # then Facebook is connected to his own account, keeping nothing beyond the hashed id
    assert is_signed_in(page, live_server)
    account = SocialAccount.objects.get()
    assert account.user_id == martin.pk
    assert account.uid != MARTIN.id
    assert account.extra_data == {}
    assert not SocialToken.objects.exists()
    assert User.objects.count() == 1

    # when he signs out and later signs in with Facebook
    sign_out(page, live_server)
    open_facebook_dialog(page, live_server, facebook, MARTIN)
    continue_in_dialog(page, live_server)
    screenshot(page, "facebook-07-signed-in-through-connected-facebook")

    # then he is in his own account: still one account, one Facebook link, his password unchanged
    assert is_signed_in(page, live_server)
    assert User.objects.count() == 1
    assert SocialAccount.objects.get().user_id == martin.pk
    martin.refresh_from_db()
    assert martin.password == before["password"]
    assert martin.check_password(MARTIN_PASSWORD)
    assert_stored_nowhere([*MARTIN.private_values(), MARTIN.id, MARTIN.email])
    assert_secret_stayed_on_the_server(facebook, traffic)
