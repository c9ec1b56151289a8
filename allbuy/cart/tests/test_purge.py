"""Old anonymous carts are deleted by `carts_purge`; account carts and recent ones stay."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from allbuy.accounts.tests.factories import customer_create
from allbuy.cart.models import Cart
from allbuy.cart.services import cart_create
from allbuy.orders.tests.factories import NOW

pytestmark = pytest.mark.django_db


def test_only_old_anonymous_carts_are_deleted(monkeypatch, capsys):
    # given
    old = cart_create(now=NOW - timedelta(days=20))
    recent = cart_create(now=NOW - timedelta(days=2))
    account = cart_create(user=customer_create("keep@example.org"), now=NOW - timedelta(days=400))
    monkeypatch.setattr("allbuy.core.clock.now", lambda: NOW)

    # when
    call_command("carts_purge")

    # then
    assert set(Cart.objects.values_list("pk", flat=True)) == {recent.pk, account.pk}
    assert old.pk not in set(Cart.objects.values_list("pk", flat=True))
    assert "1 anonymous cart(s) deleted" in capsys.readouterr().out


@pytest.mark.parametrize("days", ["0", "-3", "99999"])
def test_bad_days_are_refused(days):
    with pytest.raises(CommandError, match="--days"):
        call_command("carts_purge", "--days", days)
