"""A deal's per-customer limit: counted per account, never exceeded, given back on release; and under real parallel tabs."""

from collections import Counter
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from allbuy.accounts.services import user_create
from allbuy.core.errors import InvalidInput
from allbuy.core.tests.parallel import ON_POSTGRES_ONLY, codes_or_results
from allbuy.core.tests.parallel import run_together as shared_run_together
from allbuy.deals.models import Deal, DealCustomerUsage
from allbuy.deals.selectors import deal_customer_units_used
from allbuy.deals.services import (
    deal_customer_units_release,
    deal_customer_units_take,
    deal_delete,
    deal_units_take,
)
from allbuy.deals.tests.factories import NOW, DealFactory

WAIT = 60  # seconds: a bound on every wait, so a deadlock fails the test instead of hanging it


@pytest.fixture
def ada(db):
    return user_create(email="ada@example.org")


@pytest.fixture
def bob(db):
    return user_create(email="bob@example.org")


def units(deal: Deal, user) -> int:
    return DealCustomerUsage.objects.filter(deal=deal, user=user).values_list("units", flat=True).first() or 0


@pytest.mark.django_db
class TestTake:
    def test_a_deal_without_a_limit_takes_anything_and_writes_nothing(self, ada):
        deal = DealFactory.create(per_customer_limit=None)

        assert deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=50)
        assert not DealCustomerUsage.objects.exists()

    def test_units_are_counted_up_to_the_limit_and_no_further(self, ada):
        deal = DealFactory.create(per_customer_limit=2)

        first = deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)
        second = deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)
        third = deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)

        assert (first, second, third) == (True, True, False)
        assert units(deal, ada) == 2

    def test_a_quantity_that_would_pass_the_limit_is_refused_whole(self, ada):
        deal = DealFactory.create(per_customer_limit=3)
        assert deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=2)

        assert not deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=2)
        assert units(deal, ada) == 2
        assert deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)
        assert units(deal, ada) == 3

    def test_more_than_the_limit_at_once_is_refused_without_a_row(self, ada):
        deal = DealFactory.create(per_customer_limit=2)

        assert not deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=3)
        assert not DealCustomerUsage.objects.exists()

    def test_each_account_has_its_own_count(self, ada, bob):
        deal = DealFactory.create(per_customer_limit=1)
        assert deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)

        assert deal_customer_units_take(deal_id=deal.pk, user=bob, quantity=1)
        assert not deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)
        assert (units(deal, ada), units(deal, bob)) == (1, 1)

    def test_each_deal_has_its_own_count(self, ada):
        one, other = DealFactory.create(per_customer_limit=1), DealFactory.create(per_customer_limit=1)
        assert deal_customer_units_take(deal_id=one.pk, user=ada, quantity=1)

        assert deal_customer_units_take(deal_id=other.pk, user=ada, quantity=1)

    def test_an_unknown_deal_takes_nothing(self, ada):
        assert not deal_customer_units_take(deal_id=987654, user=ada, quantity=1)

    @pytest.mark.parametrize("quantity", [0, -1, 1.5, True])
    def test_a_quantity_must_be_a_whole_number_of_at_least_one(self, ada, quantity):
        deal = DealFactory.create(per_customer_limit=2)

        with pytest.raises(InvalidInput):
            deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=quantity)

    def test_a_rolled_back_checkout_gives_the_units_back(self, ada):
        deal = DealFactory.create(per_customer_limit=1)

        with transaction.atomic():
            assert deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)
            transaction.set_rollback(True)

        assert units(deal, ada) == 0
        assert deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)

    def test_in_checkout_order_after_the_deal_cap(self, ada):
        deal = DealFactory.create(quantity_cap=5, per_customer_limit=2)

        with transaction.atomic():
            assert deal_units_take(deal_id=deal.pk, quantity=2, now=NOW)
            assert deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=2)

        deal.refresh_from_db()
        assert (deal.units_sold, units(deal, ada)) == (2, 2)

    def test_deleting_the_deal_deletes_its_counts(self, ada):
        deal = DealFactory.create(per_customer_limit=1)
        deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)

        deal_delete(deal=deal)

        assert not DealCustomerUsage.objects.exists()


@pytest.mark.django_db
class TestRelease:
    def test_release_gives_units_back_for_another_order(self, ada):
        deal = DealFactory.create(per_customer_limit=2)
        deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=2)

        assert deal_customer_units_release(deal_id=deal.pk, user=ada, quantity=1)
        assert units(deal, ada) == 1
        assert deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)

    def test_release_never_goes_below_zero(self, ada):
        deal = DealFactory.create(per_customer_limit=3)
        deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)

        assert not deal_customer_units_release(deal_id=deal.pk, user=ada, quantity=2)
        assert units(deal, ada) == 1
        assert deal_customer_units_release(deal_id=deal.pk, user=ada, quantity=1)
        assert not deal_customer_units_release(deal_id=deal.pk, user=ada, quantity=1)
        assert units(deal, ada) == 0

    def test_release_of_units_never_taken_is_refused(self, ada):
        deal = DealFactory.create(per_customer_limit=3)

        assert not deal_customer_units_release(deal_id=deal.pk, user=ada, quantity=1)
        assert not DealCustomerUsage.objects.exists()

    def test_release_on_a_deal_without_a_limit_has_nothing_to_give_back(self, ada):
        deal = DealFactory.create(per_customer_limit=None)
        deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=4)

        assert deal_customer_units_release(deal_id=deal.pk, user=ada, quantity=4)
        assert not DealCustomerUsage.objects.exists()

    def test_release_only_touches_that_account(self, ada, bob):
        deal = DealFactory.create(per_customer_limit=1)
        deal_customer_units_take(deal_id=deal.pk, user=ada, quantity=1)
        deal_customer_units_take(deal_id=deal.pk, user=bob, quantity=1)

        deal_customer_units_release(deal_id=deal.pk, user=ada, quantity=1)

        assert (units(deal, ada), units(deal, bob)) == (0, 1)


@pytest.mark.django_db
class TestUsed:
    def test_returns_the_units_of_each_requested_deal_in_one_query(self, ada, bob, django_assert_num_queries):
        one, two, three = (DealFactory.create(per_customer_limit=3) for _ in range(3))
        deal_customer_units_take(deal_id=one.pk, user=ada, quantity=2)
        deal_customer_units_take(deal_id=two.pk, user=ada, quantity=1)
        deal_customer_units_take(deal_id=three.pk, user=ada, quantity=3)
        deal_customer_units_take(deal_id=one.pk, user=bob, quantity=1)

        with django_assert_num_queries(1):
            used = deal_customer_units_used(deal_ids=[one.pk, two.pk], user=ada)

        assert used == {one.pk: 2, two.pk: 1}

    def test_deals_not_bought_and_released_units_are_left_out(self, ada):
        bought, released, untouched = (DealFactory.create(per_customer_limit=2) for _ in range(3))
        deal_customer_units_take(deal_id=bought.pk, user=ada, quantity=1)
        deal_customer_units_take(deal_id=released.pk, user=ada, quantity=1)
        deal_customer_units_release(deal_id=released.pk, user=ada, quantity=1)

        used = deal_customer_units_used(deal_ids=(d.pk for d in (bought, released, untouched)), user=ada)

        assert used == {bought.pk: 1}

    @pytest.mark.parametrize("user", [None, AnonymousUser()])
    def test_a_guest_has_no_count_and_costs_no_query(self, user, django_assert_num_queries):
        deal = DealFactory.create(per_customer_limit=1)

        with django_assert_num_queries(0):
            assert deal_customer_units_used(deal_ids=[deal.pk], user=user) == {}

    def test_no_deals_cost_no_query(self, ada, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert deal_customer_units_used(deal_ids=[], user=ada) == {}


def run_together(jobs: list[Callable[[], bool]]) -> list[object]:
    """Run the jobs at once, each in its own connection; a crash reads as text."""
    return codes_or_results(shared_run_together(jobs, what="a take"), refusal=())


def checkout(deal_id: int, user, quantity: int = 1) -> Callable[[], bool]:
    """The checkout's part: deal cap, then the customer's limit, in one transaction; refused → rolled back."""

    def job() -> bool:
        with transaction.atomic():
            if not deal_units_take(deal_id=deal_id, quantity=quantity, now=NOW):
                return False
            if not deal_customer_units_take(deal_id=deal_id, user=user, quantity=quantity):
                transaction.set_rollback(True)
                return False
            return True

    return job


POSTGRES_ONLY = ON_POSTGRES_ONLY


class TestParallel:
    pytestmark = POSTGRES_ONLY

    @pytest.mark.parametrize("bought_before", [False, True], ids=["first-purchase", "counter-row-exists"])
    def test_one_customer_in_five_tabs_gets_the_deal_price_once(self, bought_before):
        # given: a limit of one per customer, and the same customer checking out in five tabs at once. On a first
        # purchase the tabs also race to insert the counter row; with the row in place (an earlier order that was
        # released) only the row lock keeps them apart.
        deal = DealFactory.create(per_customer_limit=1)
        user = user_create(email="tabs@example.org")
        if bought_before:
            deal_customer_units_take(deal_id=deal.pk, user=user, quantity=1)
            deal_customer_units_release(deal_id=deal.pk, user=user, quantity=1)
        # when
        outcomes = run_together([lambda: deal_customer_units_take(deal_id=deal.pk, user=user, quantity=1)] * 5)
        # then
        assert Counter(outcomes) == {True: 1, False: 4}
        assert units(deal, user) == 1

    def test_five_tabs_through_the_checkout_order_sell_exactly_the_limit(self):
        # given: a deal capped at 10 units in total and 2 per customer
        deal = DealFactory.create(quantity_cap=10, per_customer_limit=2)
        user = user_create(email="tabs@example.org")
        # when: five tabs take the cap, then the customer limit, each in its own transaction
        outcomes = run_together([checkout(deal.pk, user) for _ in range(5)])
        # then: refused tabs rolled back their cap units too
        assert Counter(outcomes) == {True: 2, False: 3}
        assert units(deal, user) == 2
        assert Deal.objects.get(pk=deal.pk).units_sold == 2

    def test_different_customers_do_not_limit_each_other(self):
        deal = DealFactory.create(per_customer_limit=1)
        users = [user_create(email=f"racer{n}@example.org") for n in range(6)]

        outcomes = run_together([checkout(deal.pk, user) for user in users])

        assert outcomes == [True] * 6
        assert Deal.objects.get(pk=deal.pk).units_sold == 6
