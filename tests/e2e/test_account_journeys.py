"""Email accounts, end to end in Chromium: sign up, verify, sign out and in, lockout, and the keyboard-only sign-in.

The live server runs in this process with Django's in-memory mail backend, so the verification mail is read from
`django.core.mail.outbox` like a mailbox.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.cache import caches

from allbuy.accounts.identity import email_pseudonym
from allbuy.accounts.models import User
from allbuy.accounts.services import user_create
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "quiet-harbour-lantern-7"
CONFIRM_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^\s\"'<>]+")


@pytest.fixture(autouse=True)
def _fresh_lockout_counters():
    """django-axes counts failures in a database cache table, which a flush between tests does not empty."""
    caches[settings.AXES_CACHE].clear()
    yield
    caches[settings.AXES_CACHE].clear()


def is_signed_in(page: Any, live_server: Any) -> bool:
    """A signed-in visitor can open their email addresses page; anyone else is sent to sign in."""
    page.goto(f"{live_server.url}/accounts/email/")
    return page.url.startswith(f"{live_server.url}/accounts/email/")


def sign_out(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/accounts/logout/")
    page.get_by_role("button", name=re.compile(r"sign out|log out", re.IGNORECASE)).click()
    page.wait_for_load_state()


def submit_login(page: Any, live_server: Any, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def verified_user(email: str) -> User:
    user = user_create(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_sign_up_verify_sign_out_and_sign_in_with_the_address_in_another_case(page, live_server):
    # given a visitor on the sign-up page
    mail.outbox.clear()
    page.goto(f"{live_server.url}/accounts/signup/")

    # when they sign up with their address and a password
    page.locator("input[name=email]").fill("Noor.Haddad@Example.com")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    screenshot(page, "account-01-sign-up")
    page.locator("input[name=password2]").press("Enter")
    page.wait_for_load_state()
    screenshot(page, "account-02-verification-sent")

    # then they are asked to verify the address, and are not signed in yet
    assert re.search(r"verif|confirm", page.inner_text("body"), re.IGNORECASE)
    assert "users.allbuy.invalid" not in page.inner_text("body"), "the page shows the sign-in key instead of the address"
    user = User.objects.get()
    assert user.contact_email.reveal() == "noor.haddad@example.com"
    assert user.email == email_pseudonym("noor.haddad@example.com")
    assert not EmailAddress.objects.get(user=user).verified

    # and the verification mail went to the address itself, with a link
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["noor.haddad@example.com"]
    assert "users.allbuy.invalid" not in message.body
    link = CONFIRM_LINK.search(str(message.body))
    assert link, message.body

    # when they open the link and confirm
    page.goto(link.group(0))
    screenshot(page, "account-03-confirm")
    page.get_by_role("button", name=re.compile(r"confirm", re.IGNORECASE)).click()
    page.wait_for_load_state()

    # then the address is verified and they are signed in
    assert EmailAddress.objects.get(user=user).verified
    assert is_signed_in(page, live_server)

    # when they sign out, and sign in typing the address in another case
    sign_out(page, live_server)
    assert not is_signed_in(page, live_server)
    submit_login(page, live_server, "NOOR.HADDAD@example.COM", PASSWORD)

    # then they are signed in to the same account
    assert is_signed_in(page, live_server)
    screenshot(page, "account-04-signed-in-again")
    assert list(User.objects.values_list("pk", flat=True)) == [user.pk]


def test_five_wrong_passwords_lock_the_sign_in(page, live_server):
    # given an account
    verified_user("ines.moreau@example.fr")

    # when someone types a wrong password four times
    for attempt in range(1, 5):
        submit_login(page, live_server, "ines.moreau@example.fr", f"wrong-password-{attempt}")
        # then each time the sign-in page says the address or password is wrong, and nothing is locked yet
        assert page.url.startswith(f"{live_server.url}/accounts/login/")
        assert not re.search(r"locked", page.inner_text("body"), re.IGNORECASE)
    screenshot(page, "account-05-wrong-password")

    # when they type a wrong password a fifth time
    submit_login(page, live_server, "ines.moreau@example.fr", "wrong-password-5")
    screenshot(page, "account-06-locked-out")

    # then the lockout page says so
    assert re.search(r"locked|too many|paused", page.inner_text("body"), re.IGNORECASE)
    # and even the right password does not get in until the lockout ends
    submit_login(page, live_server, "Ines.Moreau@example.fr", PASSWORD)
    assert re.search(r"locked|too many|paused", page.inner_text("body"), re.IGNORECASE)
    assert not is_signed_in(page, live_server)


def test_sign_in_with_the_keyboard_only(page, live_server):
    # given an account, and a visitor on the sign-in page who uses only the keyboard
    verified_user("kofi.mensah@example.com")
    page.goto(f"{live_server.url}/accounts/login/")

    # when they Tab to the address field
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == "login":
            break
    else:
        pytest.fail("the address field of the sign-in form cannot be reached with Tab")
    page.keyboard.type("kofi.mensah@example.com")

    # and Tab to the password field, type it, and press Enter
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password", "Tab from the address does not reach the password"
    page.keyboard.type(PASSWORD)
    screenshot(page, "account-07-keyboard-sign-in")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # then they are signed in
    assert is_signed_in(page, live_server)
