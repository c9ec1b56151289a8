"""Cart writes: every limit (quantity, lines, stock, availability, currency), finding the visitor's cart, merging
it at sign-in, stale-price notices, and coupon codes with each refusal and the limit on failed codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.test import RequestFactory

from allbuy.accounts.models import User
from allbuy.accounts.tests.factories import PASSWORD, customer_create
from allbuy.cart.exceptions import (
    CartEmpty,
    CartFull,
    CartLineNotFound,
    CurrencyMismatch,
    OutOfStock,
    ProductUnavailable,
    QuantityInvalid,
    QuantityLimit,
)
from allbuy.cart.models import MAX_LINES, MAX_QUANTITY_PER_LINE, Cart, CartLine
from allbuy.cart.selectors import cart_view
from allbuy.cart.services import (
    SESSION_KEY,
    cart_coupon_apply,
    cart_coupon_remove,
    cart_create,
    cart_for_request,
    cart_for_user,
    cart_line_add,
    cart_line_remove,
    cart_line_set_quantity,
    cart_merge,
    cart_prices_acknowledge,
    quantity_parse,
)
from allbuy.catalog.models import Product, Variant
from allbuy.catalog.tests.factories import BrandFactory, VariantFactory
from allbuy.coupons.exceptions import CouponError, CouponRateLimited
from allbuy.coupons.models import CouponCustomerUsage
from allbuy.coupons.tests.factories import CouponFactory
from allbuy.deals.tests.factories import DealFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
IP = "203.0.113.7"
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


@pytest.fixture
def cart() -> Cart:
    return cart_create(now=NOW)


@pytest.fixture
def customer() -> User:
    return customer_create("grace@example.org")


def variant_make(*, price: str = "100.00", stock: int = 10, **fields: object) -> Variant:
    return VariantFactory.create(price=Decimal(price), stock_quantity=stock, **fields)


def lines_of(cart: Cart) -> dict[int, int]:
    return dict(CartLine.objects.filter(cart=cart).values_list("variant_id", "quantity"))


def cart_row(cart: Cart) -> Cart:
    return Cart.objects.get(pk=cart.pk)


# --- quantities --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "-1", "1e9", "1.5", "", "   ", "0x3", "١", "9999999", None, True, False, 1.5, -1, "0", 0])
def test_a_quantity_that_is_not_a_whole_number_from_one_is_refused_plainly(raw):
    with pytest.raises(QuantityInvalid) as refused:
        quantity_parse(raw)
    assert refused.value.status == 400
    assert refused.value.code == "quantity_invalid"


@pytest.mark.parametrize("raw", ["11", 11, "1000", 999_999])
def test_a_quantity_over_ten_is_refused_with_the_limit(raw):
    with pytest.raises(QuantityLimit) as refused:
        quantity_parse(raw)
    assert refused.value.message == "You can buy at most 10 of one item per order."


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), (" 7 ", 7), ("10", 10), (3, 3), ("010", 10)])
def test_whole_numbers_from_one_to_ten_are_read(raw, expected):
    assert quantity_parse(raw) == expected


def test_zero_is_read_only_where_it_means_remove():
    assert quantity_parse("0", allow_zero=True) == 0
    with pytest.raises(QuantityInvalid):
        quantity_parse("-1", allow_zero=True)


# --- adding --------------------------------------------------------------------------------------------------------


def test_adding_an_item_records_the_price_seen_and_the_currency(cart):
    # given a phone at €100
    variant = variant_make(price="100.00")

    # when it is added twice
    cart_line_add(cart=cart, variant_id=variant.pk, quantity="2", now=NOW)
    line = cart_line_add(cart=cart, variant_id=str(variant.pk), quantity=3, now=NOW + timedelta(minutes=1))

    # then it is one line of five, with the price seen, and the cart is in euros
    assert lines_of(cart) == {variant.pk: 5}
    assert line.price_seen == Decimal("100.00")
    assert cart_row(cart).currency == "EUR"
    assert cart_row(cart).updated_at == NOW + timedelta(minutes=1)


@pytest.mark.parametrize("raw", ["abc", "-1", "1e9", True, "0"])
def test_adding_a_bad_quantity_writes_nothing(cart, raw):
    variant = variant_make()
    with pytest.raises(QuantityInvalid):
        cart_line_add(cart=cart, variant_id=variant.pk, quantity=raw, now=NOW)
    assert lines_of(cart) == {}


def test_one_line_holds_at_most_ten_units_however_they_are_added(cart):
    # given a line of eight
    variant = variant_make(stock=50)
    cart_line_add(cart=cart, variant_id=variant.pk, quantity=8, now=NOW)

    # when three more are added, then it is refused and the line keeps eight
    with pytest.raises(QuantityLimit):
        cart_line_add(cart=cart, variant_id=variant.pk, quantity=3, now=NOW)
    assert lines_of(cart) == {variant.pk: 8}

    # and two more make exactly the limit
    cart_line_add(cart=cart, variant_id=variant.pk, quantity=2, now=NOW)
    assert lines_of(cart) == {variant.pk: MAX_QUANTITY_PER_LINE}


def test_more_than_the_stock_is_refused_with_what_is_left(cart):
    variant = variant_make(stock=3)
    cart_line_add(cart=cart, variant_id=variant.pk, quantity=2, now=NOW)

    with pytest.raises(OutOfStock) as refused:
        cart_line_add(cart=cart, variant_id=variant.pk, quantity=2, now=NOW)

    assert refused.value.status == 409
    assert refused.value.message == "Only 3 left in stock."
    assert refused.value.extra == {"variant_id": variant.pk, "available": 3}
    assert lines_of(cart) == {variant.pk: 2}


def test_a_sold_out_item_cannot_be_added(cart):
    variant = variant_make(stock=0)
    with pytest.raises(OutOfStock) as refused:
        cart_line_add(cart=cart, variant_id=variant.pk, now=NOW)
    assert refused.value.extra["available"] == 0
    assert lines_of(cart) == {}


@pytest.mark.parametrize("variant_id", ["abc", "", "999999", None, "1; DROP TABLE"])
def test_an_unknown_item_is_not_for_sale(cart, variant_id):
    with pytest.raises(ProductUnavailable) as refused:
        cart_line_add(cart=cart, variant_id=variant_id, now=NOW)
    assert refused.value.status == 404


def test_an_item_of_an_inactive_product_is_not_for_sale(cart):
    variant = variant_make()
    Product.objects.filter(pk=variant.product_id).update(is_active=False)
    with pytest.raises(ProductUnavailable):
        cart_line_add(cart=cart, variant_id=variant.pk, now=NOW)
    assert lines_of(cart) == {}


def test_a_cart_holds_one_currency(cart):
    # given a cart in euros
    cart_line_add(cart=cart, variant_id=variant_make().pk, now=NOW)
    dollars = variant_make(currency="USD")

    # when an item priced in dollars is added, then it is refused
    with pytest.raises(CurrencyMismatch) as refused:
        cart_line_add(cart=cart, variant_id=dollars.pk, now=NOW)
    assert refused.value.message == "Your cart is in EUR; this item is priced in USD."
    assert dollars.pk not in lines_of(cart)


def test_a_cart_holds_at_most_fifty_lines_but_more_of_an_existing_line_still_fits(cart):
    # given a cart with fifty different items
    variants = [variant_make() for _ in range(MAX_LINES)]
    for variant in variants:
        cart_line_add(cart=cart, variant_id=variant.pk, now=NOW)

    # when a fifty-first is added, then it is refused
    with pytest.raises(CartFull) as refused:
        cart_line_add(cart=cart, variant_id=variant_make().pk, now=NOW)
    assert refused.value.message == "A cart holds at most 50 different items."
    assert len(lines_of(cart)) == MAX_LINES

    # and one more of an item already there is fine
    cart_line_add(cart=cart, variant_id=variants[0].pk, now=NOW)
    assert lines_of(cart)[variants[0].pk] == 2


# --- changing and removing ---------------------------------------------------------------------------------------------


def test_setting_a_quantity_changes_the_line_and_zero_removes_it(cart):
    variant = variant_make(stock=5)
    line = cart_line_add(cart=cart, variant_id=variant.pk, now=NOW)

    changed = cart_line_set_quantity(cart=cart, line_id=str(line.pk), quantity="4", now=NOW)
    assert changed is not None
    assert lines_of(cart) == {variant.pk: 4}

    assert cart_line_set_quantity(cart=cart, line_id=line.pk, quantity="0", now=NOW) is None
    assert lines_of(cart) == {}


@pytest.mark.parametrize(("raw", "error"), [("abc", QuantityInvalid), ("-1", QuantityInvalid), ("11", QuantityLimit)])
def test_setting_a_bad_quantity_leaves_the_line(cart, raw, error):
    variant = variant_make()
    line = cart_line_add(cart=cart, variant_id=variant.pk, quantity=2, now=NOW)
    with pytest.raises(error):
        cart_line_set_quantity(cart=cart, line_id=line.pk, quantity=raw, now=NOW)
    assert lines_of(cart) == {variant.pk: 2}


def test_raising_a_quantity_above_the_stock_is_refused_but_lowering_it_is_always_allowed(cart):
    # given a line of four, after which the stock fell to two
    variant = variant_make(stock=5)
    line = cart_line_add(cart=cart, variant_id=variant.pk, quantity=4, now=NOW)
    Variant.objects.filter(pk=variant.pk).update(stock_quantity=2)

    # when the shopper asks for five, then it is refused
    with pytest.raises(OutOfStock):
        cart_line_set_quantity(cart=cart, line_id=line.pk, quantity=5, now=NOW)

    # and lowering to three (still above the stock) is accepted: the cart page then asks to lower further
    cart_line_set_quantity(cart=cart, line_id=line.pk, quantity=3, now=NOW)
    assert lines_of(cart) == {variant.pk: 3}


@pytest.mark.parametrize("change", ["set", "remove"])
def test_another_carts_line_is_not_found(cart, change):
    # given another visitor's cart with a line
    other = cart_create(now=NOW)
    theirs = cart_line_add(cart=other, variant_id=variant_make().pk, now=NOW)

    attempts = {
        "set": lambda: cart_line_set_quantity(cart=cart, line_id=theirs.pk, quantity=2, now=NOW),
        "remove": lambda: cart_line_remove(cart=cart, line_id=theirs.pk, now=NOW),
    }

    # when this cart tries to change it, then it is not found and unchanged
    with pytest.raises(CartLineNotFound):
        attempts[change]()
    assert CartLine.objects.get(pk=theirs.pk).quantity == 1


@pytest.mark.parametrize("line_id", ["abc", "", None, "99999"])
def test_an_unknown_line_is_not_found(cart, line_id):
    with pytest.raises(CartLineNotFound):
        cart_line_remove(cart=cart, line_id=line_id, now=NOW)


def test_removing_the_last_line_forgets_the_currency_and_the_coupon(cart):
    # given a cart with two lines and a coupon
    CouponFactory.create(code="SPRING10")
    first = cart_line_add(cart=cart, variant_id=variant_make().pk, now=NOW)
    second = cart_line_add(cart=cart, variant_id=variant_make().pk, now=NOW)
    cart_coupon_apply(cart=cart, code="spring10", user=None, ip=IP, now=NOW)

    # when one line is removed, the cart keeps both
    cart_line_remove(cart=cart, line_id=first.pk, now=NOW)
    assert (cart_row(cart).currency, cart_row(cart).coupon_code) == ("EUR", "SPRING10")

    # when the last one is removed, the cart is blank again (so it may take another currency)
    cart_line_remove(cart=cart, line_id=second.pk, now=NOW)
    assert (cart_row(cart).currency, cart_row(cart).coupon_code) == ("", "")
    cart_line_add(cart=cart, variant_id=variant_make(currency="USD").pk, now=NOW)
    assert cart_row(cart).currency == "USD"


# --- whose cart --------------------------------------------------------------------------------------------------------


def visit(user: User | None = None) -> HttpRequest:
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = user or AnonymousUser()
    return request


def test_a_visitor_has_no_cart_until_one_is_needed_and_then_keeps_it_in_the_session():
    request = visit()

    assert cart_for_request(request, create=False) is None
    assert SESSION_KEY not in request.session
    assert not Cart.objects.exists()

    created = cart_for_request(request, create=True)
    assert created is not None
    assert created.user is None
    assert request.session[SESSION_KEY] == str(created.pk)
    assert cart_for_request(request, create=False) == created
    assert cart_for_request(request, create=True) == created
    assert Cart.objects.count() == 1


@pytest.mark.parametrize("stored", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", 42])
def test_a_session_pointing_nowhere_gives_no_cart_or_a_new_one(stored):
    request = visit()
    request.session[SESSION_KEY] = stored

    assert cart_for_request(request, create=False) is None
    created = cart_for_request(request, create=True)
    assert created is not None
    assert request.session[SESSION_KEY] == str(created.pk)


def test_a_session_cannot_reach_an_accounts_cart(customer):
    # given an account's cart, and a visitor whose session names it (a copied cookie, a guessed id)
    theirs = cart_for_user(user=customer, now=NOW)
    cart_line_add(cart=theirs, variant_id=variant_make().pk, now=NOW)
    request = visit()
    request.session[SESSION_KEY] = str(theirs.pk)

    # when the visitor's cart is looked up, then it is not the account's
    assert cart_for_request(request, create=False) is None
    assert cart_for_request(request, create=True) != theirs


def test_a_signed_in_customer_has_one_cart_whatever_the_session_says(customer):
    # given an anonymous cart named in the session
    request = visit(customer)
    anonymous = cart_create(now=NOW)
    request.session[SESSION_KEY] = str(anonymous.pk)

    # when the signed-in customer's cart is looked up, then it is the account's, created once
    assert cart_for_request(request, create=False) is None
    mine = cart_for_request(request, create=True)
    assert mine is not None
    assert mine.user == customer
    assert cart_for_request(request, create=True) == mine
    assert cart_for_user(user=customer) == mine
    assert Cart.objects.filter(user=customer).count() == 1


# --- merging at sign-in ------------------------------------------------------------------------------------------------


def test_merging_adds_quantities_up_to_ten_and_moves_new_lines(customer):
    # given an account cart and an anonymous cart sharing two items
    account = cart_for_user(user=customer, now=NOW)
    both, capped, only_anonymous, only_account = (variant_make(stock=50) for _ in range(4))
    cart_line_add(cart=account, variant_id=both.pk, quantity=2, now=NOW)
    cart_line_add(cart=account, variant_id=capped.pk, quantity=7, now=NOW)
    cart_line_add(cart=account, variant_id=only_account.pk, quantity=1, now=NOW)
    anonymous = cart_create(now=NOW)
    cart_line_add(cart=anonymous, variant_id=both.pk, quantity=3, now=NOW)
    cart_line_add(cart=anonymous, variant_id=capped.pk, quantity=6, now=NOW)
    cart_line_add(cart=anonymous, variant_id=only_anonymous.pk, quantity=4, now=NOW)

    # when they are merged
    merged = cart_merge(source=anonymous, target=account, now=NOW)

    # then quantities add up (capped at ten), new lines move over, and the anonymous cart is gone
    assert merged == account
    assert lines_of(account) == {both.pk: 5, capped.pk: 10, only_account.pk: 1, only_anonymous.pk: 4}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert not CartLine.objects.filter(cart_id=anonymous.pk).exists()


def test_merging_keeps_the_accounts_currency_and_coupon():
    # given an account cart in euros with a coupon, and an anonymous cart in dollars with another coupon
    customer = customer_create("hedy@example.org")
    account = cart_for_user(user=customer, now=NOW)
    euro = variant_make()
    cart_line_add(cart=account, variant_id=euro.pk, now=NOW)
    Cart.objects.filter(pk=account.pk).update(coupon_code="MINE")
    anonymous = cart_create(now=NOW)
    cart_line_add(cart=anonymous, variant_id=variant_make(currency="USD").pk, now=NOW)
    Cart.objects.filter(pk=anonymous.pk).update(coupon_code="THEIRS")

    # when they are merged
    cart_merge(source=cart_row(anonymous), target=cart_row(account), now=NOW)

    # then the account's cart wins: the dollar line is dropped, the currency and coupon stay
    assert lines_of(account) == {euro.pk: 1}
    assert (cart_row(account).currency, cart_row(account).coupon_code) == ("EUR", "MINE")
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


def test_merging_into_an_empty_account_cart_takes_the_visitors_currency_and_coupon(customer):
    account = cart_for_user(user=customer, now=NOW)
    anonymous = cart_create(now=NOW)
    dollars = variant_make(currency="USD")
    cart_line_add(cart=anonymous, variant_id=dollars.pk, quantity=2, now=NOW)
    Cart.objects.filter(pk=anonymous.pk).update(coupon_code="THEIRS")

    cart_merge(source=cart_row(anonymous), target=account, now=NOW)

    assert lines_of(account) == {dollars.pk: 2}
    assert (cart_row(account).currency, cart_row(account).coupon_code) == ("USD", "THEIRS")


def test_merging_never_makes_more_than_fifty_lines(customer):
    # given an account cart of 49 lines and an anonymous cart with 3 other items
    account = cart_for_user(user=customer, now=NOW)
    for _ in range(MAX_LINES - 1):
        cart_line_add(cart=account, variant_id=variant_make().pk, now=NOW)
    anonymous = cart_create(now=NOW)
    for _ in range(3):
        cart_line_add(cart=anonymous, variant_id=variant_make().pk, now=NOW)

    cart_merge(source=anonymous, target=account, now=NOW)

    assert len(lines_of(account)) == MAX_LINES
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


def sign_in(client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


def test_signing_in_merges_the_visitors_cart_into_the_accounts(client, customer):
    # given an account with one phone in its cart, and a visitor (not signed in yet) with two items
    account = cart_for_user(user=customer, now=NOW)
    phone, earbuds = variant_make(), variant_make(price="49.00")
    cart_line_add(cart=account, variant_id=phone.pk, quantity=1, now=NOW)
    anonymous = cart_create(now=NOW)
    cart_line_add(cart=anonymous, variant_id=phone.pk, quantity=2, now=NOW)
    cart_line_add(cart=anonymous, variant_id=earbuds.pk, quantity=1, now=NOW)
    session = client.session
    session[SESSION_KEY] = str(anonymous.pk)
    session.save()

    # when the visitor signs in
    response = sign_in(client, "grace@example.org")

    # then they are signed in, with one cart holding both
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(customer.pk)
    assert lines_of(account) == {phone.pk: 3, earbuds.pk: 1}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()
    assert SESSION_KEY not in client.session
    assert Cart.objects.count() == 1


def test_signing_in_without_a_visitor_cart_leaves_the_accounts_cart_alone(client, customer):
    account = cart_for_user(user=customer, now=NOW)
    phone = variant_make()
    cart_line_add(cart=account, variant_id=phone.pk, quantity=2, now=NOW)

    assert sign_in(client, "grace@example.org").status_code == 302

    assert lines_of(account) == {phone.pk: 2}
    assert Cart.objects.count() == 1


def test_signing_in_never_takes_another_accounts_cart(client, customer):
    # given someone else's account cart, named in this visitor's session
    other = customer_create("mallory@example.org")
    theirs = cart_for_user(user=other, now=NOW)
    phone = variant_make()
    cart_line_add(cart=theirs, variant_id=phone.pk, quantity=2, now=NOW)
    session = client.session
    session[SESSION_KEY] = str(theirs.pk)
    session.save()

    # when the visitor signs in to their own account
    assert sign_in(client, "grace@example.org").status_code == 302

    # then the other account's cart is untouched, and nothing moved into this account
    assert lines_of(theirs) == {phone.pk: 2}
    assert not CartLine.objects.filter(cart__user=customer).exists()


# --- prices that moved ------------------------------------------------------------------------------------------------


def test_a_price_change_since_adding_is_noticed_until_the_shopper_acknowledges_it(cart):
    # given two items added at €100 and €50, whose prices then moved up and down
    pricier = variant_make(price="100.00")
    cheaper = variant_make(price="50.00")
    cart_line_add(cart=cart, variant_id=pricier.pk, now=NOW)
    cart_line_add(cart=cart, variant_id=cheaper.pk, now=NOW)
    Variant.objects.filter(pk=pricier.pk).update(price=Decimal("120.00"))
    Variant.objects.filter(pk=cheaper.pk).update(price=Decimal("45.00"))

    # when the cart is shown, then it says so, and charges the new prices
    view = cart_view(cart=cart, now=NOW)
    assert view.notices == (
        f"The price of {pricier.product.name} went up since you added it: it is now €120.00.",
        f"The price of {cheaper.product.name} dropped since you added it: it is now €45.00.",
    )
    assert [line.price_changed for line in view.lines] == [True, True]
    assert view.priced is not None
    assert view.priced.quote.subtotal.amount == Decimal("165.00")

    # when the shopper acknowledges the new prices, then the notices are gone
    cart_prices_acknowledge(cart=cart)
    again = cart_view(cart=cart, now=NOW)
    assert again.notices == ()
    assert dict(CartLine.objects.filter(cart=cart).values_list("variant_id", "price_seen")) == {
        pricier.pk: Decimal("120.00"),
        cheaper.pk: Decimal("45.00"),
    }


def test_unavailable_items_are_noticed(cart):
    gone = variant_make(stock=5)
    scarce = variant_make(stock=5)
    cart_line_add(cart=cart, variant_id=gone.pk, now=NOW)
    cart_line_add(cart=cart, variant_id=scarce.pk, quantity=4, now=NOW)
    Product.objects.filter(pk=gone.product_id).update(is_active=False)
    Variant.objects.filter(pk=scarce.pk).update(stock_quantity=2)

    view = cart_view(cart=cart, now=NOW)

    assert view.notices == (
        f"{gone.product.name} is no longer for sale; remove it to check out.",
        f"{scarce.product.name} has only 2 left; lower the quantity to check out.",
    )
    assert [v.variant.pk for v in view.unavailable] == [gone.pk, scarce.pk]


# --- coupon codes ------------------------------------------------------------------------------------------------------


def test_a_code_that_applies_is_kept_on_the_cart_as_the_coupon_spells_it(cart, customer):
    CouponFactory.create(code="SPRING10")
    cart_line_add(cart=cart, variant_id=variant_make().pk, now=NOW)

    state = cart_coupon_apply(cart=cart, code="  spring10 ", user=customer, ip=IP, now=NOW)

    assert state.applied
    assert state.code == "SPRING10"
    assert cart_row(cart).coupon_code == "SPRING10"
    view = cart_view(cart=cart, user=customer, now=NOW)
    assert view.priced is not None
    assert view.priced.quote.discounts.coupon.amount == Decimal("10.00")
    cart_coupon_remove(cart=cart, now=NOW)
    assert cart_row(cart).coupon_code == ""


def _coupon_for(reason: str, customer: User) -> str:
    """Create a coupon refused for `reason` against a cart of one €100 item (no deal); return its code."""
    if reason == "unknown":
        return "NOSUCHCODE"
    if reason == "not_yet_valid":
        CouponFactory.create(code="SOON", valid_from=NOW + timedelta(days=1))
        return "soon"
    if reason == "expired":
        CouponFactory.create(code="GONE", valid_from=NOW - timedelta(days=30), valid_until=NOW - timedelta(seconds=1))
        return "gone"
    if reason == "minimum_not_met":
        CouponFactory.create(code="BIGSPEND", currency="EUR", min_subtotal=Decimal("100.01"))
        return "bigspend"
    if reason == "cap_reached":
        CouponFactory.create(code="ALLUSED", total_cap=3, uses=3)
        return "allused"
    if reason == "already_used_by_you":
        coupon = CouponFactory.create(code="ONCE", per_customer_cap=1)
        CouponCustomerUsage.objects.create(coupon=coupon, user=customer, uses=1)
        return "once"
    if reason == "no_eligible_items":
        coupon = CouponFactory.create(code="OTHERBRAND")
        coupon.include_brands.set([BrandFactory.create()])
        return "otherbrand"
    raise AssertionError(reason)


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("unknown", 404),
        ("not_yet_valid", 409),
        ("expired", 409),
        ("minimum_not_met", 409),
        ("cap_reached", 409),
        ("already_used_by_you", 409),
        ("no_eligible_items", 409),
    ],
)
def test_a_refused_code_says_why_and_is_not_kept(cart, customer, reason, status):
    # given a cart of one €100 item that already carries a code that applies
    CouponFactory.create(code="KEEPME")
    cart_line_add(cart=cart, variant_id=variant_make().pk, now=NOW)
    cart_coupon_apply(cart=cart, code="keepme", user=customer, ip=IP, now=NOW)
    code = _coupon_for(reason, customer)

    # when the shopper types a code refused for this reason
    with pytest.raises(CouponError) as refused:
        cart_coupon_apply(cart=cart, code=code, user=customer, ip=IP, now=NOW)

    # then they hear why, and the cart keeps the code it had
    assert refused.value.code == reason
    assert refused.value.status == status
    assert cart_row(cart).coupon_code == "KEEPME"


def test_a_code_that_cannot_combine_with_a_deal_is_refused(cart, customer):
    variant = variant_make()
    DealFactory.create(
        variant=variant, deal_price=Decimal("80.00"), starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1)
    )
    CouponFactory.create(code="NODEALS", stacks_with_deals=False)
    cart_line_add(cart=cart, variant_id=variant.pk, now=NOW)

    with pytest.raises(CouponError) as refused:
        cart_coupon_apply(cart=cart, code="nodeals", user=customer, ip=IP, now=NOW)

    assert refused.value.code == "cannot_combine"
    assert refused.value.message == "This code can't be combined with the deals or promotions on your items."
    assert cart_row(cart).coupon_code == ""


@pytest.mark.parametrize("code", ["", "   ", "X" * 41])
def test_an_empty_or_overlong_code_is_unknown(cart, customer, code):
    cart_line_add(cart=cart, variant_id=variant_make().pk, now=NOW)
    with pytest.raises(CouponError) as refused:
        cart_coupon_apply(cart=cart, code=code, user=customer, ip=IP, now=NOW)
    assert refused.value.code == "unknown"
    assert cart_row(cart).coupon_code == ""


def test_a_code_needs_something_in_the_cart(cart, customer):
    CouponFactory.create(code="SPRING10")
    with pytest.raises(CartEmpty):
        cart_coupon_apply(cart=cart, code="spring10", user=customer, ip=IP, now=NOW)
    assert cart_row(cart).coupon_code == ""


def test_after_too_many_codes_that_do_not_exist_even_a_good_one_must_wait(cart, customer, settings):
    # given a limit of three failed codes per account
    settings.ALLBUY_COUPON_FAILURES_PER_ACCOUNT = 3
    CouponFactory.create(code="SPRING10")
    cart_line_add(cart=cart, variant_id=variant_make().pk, now=NOW)

    # when the shopper tries three codes that do not exist
    for guess in ("GUESS1", "GUESS2", "GUESS3"):
        with pytest.raises(CouponError):
            cart_coupon_apply(cart=cart, code=guess, user=customer, ip=IP, now=NOW)

    # then the next attempt is refused, even with a real code, and says how long to wait
    with pytest.raises(CouponRateLimited) as limited:
        cart_coupon_apply(cart=cart, code="spring10", user=customer, ip=IP, now=NOW + timedelta(seconds=1))
    assert limited.value.status == 429
    assert 0 < limited.value.extra["retry_after"] <= settings.ALLBUY_COUPON_FAILURE_WINDOW_SECONDS
    assert cart_row(cart).coupon_code == ""

    # and once the window has passed, the real code works
    later = NOW + timedelta(seconds=settings.ALLBUY_COUPON_FAILURE_WINDOW_SECONDS)
    assert cart_coupon_apply(cart=cart, code="spring10", user=customer, ip=IP, now=later).applied


def test_guests_behind_one_address_share_its_limit(settings):
    # given a limit of two failed codes per address, and two guests behind it
    settings.ALLBUY_COUPON_FAILURES_PER_IP = 2
    first, second = cart_create(now=NOW), cart_create(now=NOW)
    for guest_cart in (first, second):
        cart_line_add(cart=guest_cart, variant_id=variant_make().pk, now=NOW)

    # when the first guest fails twice, then the second is refused from the same address, not from another
    for guess in ("GUESS1", "GUESS2"):
        with pytest.raises(CouponError):
            cart_coupon_apply(cart=first, code=guess, user=None, ip=IP, now=NOW)
    with pytest.raises(CouponRateLimited):
        cart_coupon_apply(cart=second, code="GUESS3", user=None, ip=IP, now=NOW)
    with pytest.raises(CouponError) as elsewhere:
        cart_coupon_apply(cart=second, code="GUESS3", user=None, ip="198.51.100.1", now=NOW)
    assert elsewhere.value.code == "unknown"


@pytest.mark.parametrize("reason", ["minimum_not_met", "cap_reached", "already_used_by_you", "no_eligible_items"])
def test_a_real_code_refused_because_of_the_cart_does_not_count_as_a_guess(cart, customer, settings, reason):
    # given a limit of two failed codes per account, and a real code this cart cannot use yet
    settings.ALLBUY_COUPON_FAILURES_PER_ACCOUNT = 2
    cart_line_add(cart=cart, variant_id=variant_make().pk, now=NOW)
    code = _coupon_for(reason, customer)

    # when the shopper tries it more times than the limit
    for _ in range(4):
        with pytest.raises(CouponError) as refused:
            cart_coupon_apply(cart=cart, code=code, user=customer, ip=IP, now=NOW)
        # then each time they hear the real reason, never "too many attempts" (the code exists: nothing was guessed)
        assert refused.value.code == reason
