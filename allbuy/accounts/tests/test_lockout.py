"""Brute-force protection: django-axes pauses sign-in after AXES_FAILURE_LIMIT wrong passwords."""

import pytest
from django.conf import settings

from allbuy.accounts.tests.assertions import html_of
from allbuy.accounts.tests.factories import PASSWORD, customer_create

pytestmark = pytest.mark.django_db

LOCKOUT_TEXT = "Too many failed sign-in attempts. Try again in 15 minutes or reset your password."


def sign_in(client, login: str, password: str):
    return client.post("/accounts/login/", {"login": login, "password": password})


def test_sign_in_is_paused_after_the_failure_limit_and_the_right_password_is_refused_meanwhile(client):
    # given an account
    customer_create("kathleen@example.org")
    # when the wrong password is tried up to the limit
    responses = [sign_in(client, "kathleen@example.org", f"wrong-{n}") for n in range(settings.AXES_FAILURE_LIMIT)]
    # then the earlier attempts get the usual error, and the last one the lockout page
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    assert LOCKOUT_TEXT in html_of(responses[-1])
    # and while locked, even the right password (typed in another case) is refused
    locked = sign_in(client, "KATHLEEN@example.org", PASSWORD)
    assert locked.status_code == 429
    assert LOCKOUT_TEXT in html_of(locked)
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_links_to_password_reset_and_never_names_the_account(client):
    customer_create("kathleen@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, "kathleen@example.org", f"wrong-{n}")
    html = html_of(response)
    assert 'href="/accounts/password/reset/"' in html
    assert "kathleen" not in html


def test_failures_below_the_limit_do_not_lock(client):
    customer_create("kathleen@example.org")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "kathleen@example.org", f"wrong-{n}")
    response = sign_in(client, "kathleen@example.org", PASSWORD)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
