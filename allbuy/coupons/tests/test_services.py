from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from allbuy.accounts.tests.factories import customer_create
from allbuy.catalog.models import Brand
from allbuy.core.errors import InvalidInput
from allbuy.coupons.exceptions import CouponAlreadyUsed, CouponCapReached, CouponError, CouponNotFound
from allbuy.coupons.models import Coupon, CouponCustomerUsage, CouponKind, CouponRedemption
from allbuy.coupons.selectors import coupon_customer_uses, coupon_get_by_code, coupon_view_for_code
from allbuy.coupons.services import (
    CODE_ALPHABET,
    CouponTemplate,
    coupon_batch_generate,
    coupon_create,
    coupon_redeem,
    coupon_release,
)
from allbuy.coupons.tests.factories import WINDOW_START, CouponFactory

pytestmark = pytest.mark.django_db
NOW = WINDOW_START + timedelta(days=10)


def test_codes_are_stored_upper_case_and_found_in_any_case():
    # given
    made = CouponFactory.create(code=" Spring-Sale ")
    # when / then
    assert made.code == "SPRING-SALE"
    assert coupon_get_by_code(code="spring-sale") == made
    assert coupon_get_by_code(code="SPRING SALE") == made
    assert coupon_get_by_code(code="springsale") == made
    assert coupon_get_by_code(code="autumn") is None
    assert coupon_get_by_code(code=" - ") is None


def test_view_carries_the_scope_ids():
    brand = Brand.objects.create(name="Brandy", slug="brandy")
    coupon = coupon_create(
        code="brandy", kind="percent", value=Decimal("5"), valid_from=WINDOW_START, include_brand_ids=[brand.pk]
    )
    view = coupon_view_for_code(code="BRANDY")
    assert view is not None
    assert view.id == coupon.pk
    assert view.include_brand_ids == frozenset({brand.pk})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": CouponKind.PERCENT, "value": Decimal("100.01")}, "value"),
        ({"kind": CouponKind.PERCENT, "value": Decimal("0")}, "value"),
        ({"kind": CouponKind.FIXED, "value": Decimal("5"), "currency": ""}, "currency"),
        ({"kind": CouponKind.FIXED, "value": Decimal("0"), "currency": "EUR"}, "value"),
        ({"valid_until": WINDOW_START}, "valid_until"),
        ({"min_subtotal": Decimal("50")}, "currency"),
    ],
)
def test_create_refuses_invalid_coupons(changes, field):
    values = {"code": "BAD", "kind": CouponKind.PERCENT, "value": Decimal("10"), "valid_from": WINDOW_START, **changes}
    with pytest.raises(ValidationError) as caught:
        coupon_create(**values)
    assert field in caught.value.message_dict
    assert not Coupon.objects.exists()


def test_duplicate_codes_differing_only_in_case_are_refused():
    CouponFactory.create(code="DUP-1")
    with pytest.raises(ValidationError):
        coupon_create(code="dup1", kind="percent", value=Decimal("10"), valid_from=WINDOW_START)


def test_redeem_consumes_one_use(customer):
    coupon = CouponFactory.create(total_cap=2)
    redemption = coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-1", now=NOW)
    coupon.refresh_from_db()
    assert coupon.uses == 1
    assert redemption.order_ref == "A-1"
    assert redemption.user == customer


def test_redeem_refuses_beyond_the_total_cap():
    coupon = CouponFactory.create(total_cap=1)
    coupon_redeem(coupon_id=coupon.pk, user=customer_create("a@example.org"), order_ref="A-1", now=NOW)
    with pytest.raises(CouponCapReached) as caught:
        coupon_redeem(coupon_id=coupon.pk, user=customer_create("b@example.org"), order_ref="B-1", now=NOW)
    assert (caught.value.code, caught.value.status) == ("cap_reached", 409)
    coupon.refresh_from_db()
    assert coupon.uses == 1
    assert CouponRedemption.objects.count() == 1


def test_redeem_enforces_the_per_customer_cap_on_the_account(customer):
    coupon = CouponFactory.create(per_customer_cap=2)
    coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-1", now=NOW)
    coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-2", now=NOW)
    with pytest.raises(CouponAlreadyUsed) as caught:
        coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-3", now=NOW)
    assert (caught.value.code, caught.value.status) == ("already_used_by_you", 409)
    assert coupon_customer_uses(coupon_id=coupon.pk, user=customer) == 2
    # Someone else is not affected.
    coupon_redeem(coupon_id=coupon.pk, user=customer_create("b@example.org"), order_ref="B-1", now=NOW)
    coupon.refresh_from_db()
    assert coupon.uses == 3


@pytest.mark.parametrize(
    ("changes", "when", "code"),
    [
        ({"is_active": False}, NOW, "inactive"),
        ({}, WINDOW_START - timedelta(seconds=1), "not_yet_valid"),
        ({"valid_until": NOW}, NOW, "expired"),
    ],
)
def test_redeem_refuses_outside_the_window_or_when_inactive(customer, changes, when, code):
    coupon = CouponFactory.create(**changes)
    with pytest.raises(CouponError) as caught:
        coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-1", now=when)
    assert caught.value.code == code
    coupon.refresh_from_db()
    assert coupon.uses == 0


def test_redeem_of_a_missing_coupon(customer):
    with pytest.raises(CouponNotFound):
        coupon_redeem(coupon_id=987654, user=customer, order_ref="A-1", now=NOW)


def test_a_refused_per_customer_use_does_not_keep_the_counter(customer):
    coupon = CouponFactory.create(per_customer_cap=1, is_active=False)
    with pytest.raises(CouponError):
        coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-1", now=NOW)
    assert coupon_customer_uses(coupon_id=coupon.pk, user=customer) == 0


def test_a_rolled_back_order_gives_the_use_back(customer):
    coupon = CouponFactory.create(total_cap=1, per_customer_cap=1)

    class PaymentFailed(Exception):
        pass

    def order_with_failing_payment() -> None:
        with transaction.atomic():
            coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-1", now=NOW)
            raise PaymentFailed

    with pytest.raises(PaymentFailed):
        order_with_failing_payment()
    coupon.refresh_from_db()
    assert coupon.uses == 0
    assert not CouponRedemption.objects.exists()
    assert coupon_customer_uses(coupon_id=coupon.pk, user=customer) == 0
    coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-2", now=NOW)


def test_release_gives_back_both_caps_once(customer):
    coupon = CouponFactory.create(total_cap=1, per_customer_cap=1)
    redemption = coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-1", now=NOW)
    released = coupon_release(redemption=redemption, now=NOW)
    coupon_release(redemption=redemption, now=NOW)  # a retried task changes nothing
    coupon.refresh_from_db()
    assert released.released_at == NOW
    assert coupon.uses == 0
    assert CouponCustomerUsage.objects.get(coupon=coupon, user=customer).uses == 0
    coupon_redeem(coupon_id=coupon.pk, user=customer, order_ref="A-2", now=NOW)


def test_batch_of_ten_thousand_unique_single_use_codes():
    template = CouponTemplate(kind="percent", value=Decimal("10"), valid_from=WINDOW_START)
    batch = coupon_batch_generate(template=template, count=10_000, prefix="xmas")
    codes = list(batch.coupons.values_list("code", flat=True))
    assert len(codes) == 10_000 == len(set(codes)) == batch.size
    body_chars = set("".join(code.removeprefix("XMAS-") for code in codes))
    assert body_chars <= set(CODE_ALPHABET)
    assert not body_chars & set("0O1I")
    assert all(code.startswith("XMAS-") and len(code) == len("XMAS-") + 10 for code in codes)
    assert set(batch.coupons.values_list("total_cap", "per_customer_cap", "uses").distinct()) == {(1, 1, 0)}


def test_batch_skips_codes_already_taken(monkeypatch):
    from allbuy.coupons import services

    CouponFactory.create(code="AAAAAAAAAA")
    draws = iter(["AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"])
    monkeypatch.setattr(services, "code_random", lambda *, prefix="": next(draws))
    template = CouponTemplate(kind="free_shipping", value=Decimal("0"), valid_from=WINDOW_START)
    batch = coupon_batch_generate(template=template, count=2)
    assert sorted(batch.coupons.values_list("code", flat=True)) == ["BBBBBBBBBB", "CCCCCCCCCC"]


@pytest.mark.parametrize(
    ("count", "prefix", "template_changes"),
    [(0, "", {}), (100_001, "", {}), (5, "bad prefix!", {}), (5, "", {"value": Decimal("150")})],
)
def test_batch_refuses_bad_input_and_writes_nothing(count, prefix, template_changes):
    values = {"kind": "percent", "value": Decimal("10"), "valid_from": datetime(2026, 1, 1, tzinfo=UTC), **template_changes}
    with pytest.raises((InvalidInput, ValidationError)):
        coupon_batch_generate(template=CouponTemplate(**values), count=count, prefix=prefix)
    assert not Coupon.objects.exists()
