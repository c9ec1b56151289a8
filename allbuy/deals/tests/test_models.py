from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from allbuy.catalog.tests.factories import VariantFactory
from allbuy.deals.models import Deal, Promotion, PromotionKind
from allbuy.deals.tests.factories import NOW, DealFactory, PromotionFactory

pytestmark = pytest.mark.django_db


def _deal(**overrides):
    variant = overrides.pop("variant", None) or VariantFactory.create(price=Decimal("199.00"))
    fields = {
        "variant": variant,
        "title": "Deal of the day",
        "deal_price": Decimal("149.00"),
        "starts_at": NOW,
        "ends_at": NOW + timedelta(days=1),
    }
    return Deal(**{**fields, **overrides})


def _errors(obj):
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_a_valid_deal_takes_the_variant_currency():
    deal = _deal()

    deal.full_clean()

    assert deal.currency == "EUR"


@pytest.mark.parametrize("price", ["199.00", "250.00"])
def test_deal_price_at_or_above_the_regular_price_is_refused(price):
    assert "deal_price" in _errors(_deal(deal_price=Decimal(price)))


def test_deal_price_must_be_positive():
    assert "deal_price" in _errors(_deal(deal_price=Decimal("0.00")))


def test_deal_currency_must_be_the_variants():
    assert "currency" in _errors(_deal(currency="USD"))


def test_deal_must_end_after_it_starts():
    assert "ends_at" in _errors(_deal(ends_at=NOW))


def test_naive_times_are_refused():
    errors = _errors(_deal(starts_at=datetime(2025, 6, 10, 10, 0)))

    assert "starts_at" in errors


def test_overlapping_deals_on_one_variant_are_refused():
    existing = DealFactory.create(starts_at=NOW, ends_at=NOW + timedelta(days=1))

    errors = _errors(_deal(variant=existing.variant, starts_at=NOW + timedelta(hours=23), ends_at=NOW + timedelta(days=2)))

    assert errors["starts_at"] == ["Another deal on this variant overlaps this window."]


def test_touching_windows_and_other_variants_do_not_overlap():
    existing = DealFactory.create(starts_at=NOW, ends_at=NOW + timedelta(days=1))

    _deal(variant=existing.variant, starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2)).full_clean()
    _deal(starts_at=NOW, ends_at=NOW + timedelta(days=1)).full_clean()


def test_a_deal_does_not_overlap_itself_when_edited():
    deal = DealFactory.create()
    deal.title = "Renamed"

    deal.full_clean()


def test_the_cap_cannot_drop_below_units_sold():
    deal = DealFactory.create(quantity_cap=10, units_sold=5)
    deal.quantity_cap = 4

    assert "quantity_cap" in _errors(deal)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only")
def test_postgres_refuses_overlapping_deals_that_skip_validation():
    existing = DealFactory.create(starts_at=NOW, ends_at=NOW + timedelta(days=1))

    with pytest.raises(IntegrityError, match="deal_no_overlap_per_variant"), transaction.atomic():
        DealFactory.create(variant=existing.variant, starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=2))


def test_the_database_refuses_more_units_sold_than_the_cap():
    deal = DealFactory.create(quantity_cap=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        Deal.objects.filter(pk=deal.pk).update(units_sold=3)


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"kind": PromotionKind.PERCENT, "value": None}, "value"),
        ({"kind": PromotionKind.PERCENT, "value": Decimal("120")}, "value"),
        ({"kind": PromotionKind.FIXED, "value": Decimal("0")}, "value"),
        ({"kind": PromotionKind.FIXED, "value": Decimal("5"), "buy_quantity": 2}, "buy_quantity"),
        ({"kind": PromotionKind.BUY_X_GET_Y, "value": None, "buy_quantity": 2}, "get_quantity"),
        ({"kind": PromotionKind.BUY_X_GET_Y, "value": Decimal("5"), "buy_quantity": 2, "get_quantity": 1}, "value"),
        ({"kind": PromotionKind.FREE_SHIPPING_OVER, "value": None}, "min_subtotal"),
        ({"kind": PromotionKind.PERCENT, "value": Decimal("10"), "exclusive": True, "stackable": True}, "stackable"),
        ({"kind": PromotionKind.PERCENT, "value": Decimal("10"), "ends_at": NOW - timedelta(days=1)}, "ends_at"),
    ],
)
def test_promotion_validation_per_kind(fields, bad):
    promotion = Promotion(**{"title": "Summer", "starts_at": NOW, "ends_at": NOW + timedelta(days=7), **fields})

    assert bad in _errors(promotion)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": PromotionKind.PERCENT, "value": Decimal("100")},
        {"kind": PromotionKind.FIXED, "value": Decimal("5.00"), "min_subtotal": Decimal("50")},
        {"kind": PromotionKind.BUY_X_GET_Y, "buy_quantity": 2, "get_quantity": 1},
        {"kind": PromotionKind.FREE_SHIPPING_OVER, "min_subtotal": Decimal("49.00")},
    ],
)
def test_valid_promotions_of_every_kind(fields):
    Promotion(**{"title": "Summer", "starts_at": NOW, "ends_at": NOW + timedelta(days=7), **fields}).full_clean()


def test_promotion_is_live_only_when_active_and_in_window():
    promotion = PromotionFactory.create()

    assert promotion.is_live(NOW)
    assert not promotion.is_live(promotion.ends_at)
    promotion.is_active = False
    assert not promotion.is_live(NOW)
