from datetime import timedelta
from decimal import Decimal

import pytest

from allbuy.catalog.selectors import catalog_revision
from allbuy.catalog.tests.factories import BrandFactory, VariantFactory
from allbuy.core import clock
from allbuy.core.errors import InvalidInput
from allbuy.deals.exceptions import DealInvalid, DealOverlaps
from allbuy.deals.models import Deal, Promotion, PromotionKind
from allbuy.deals.services import (
    deal_create,
    deal_delete,
    deal_save,
    deal_units_release,
    deal_units_take,
    promotion_delete,
    promotion_save,
)
from allbuy.deals.tests.factories import NOW, DealFactory, PromotionFactory

pytestmark = pytest.mark.django_db


def _create(variant, **overrides):
    fields = {"title": "Deal", "deal_price": Decimal("99.00"), "starts_at": NOW, "ends_at": NOW + timedelta(days=1)}
    return deal_create(variant=variant, **{**fields, **overrides})


def test_deal_create_stores_the_deal_and_invalidates_catalog_pages():
    variant = VariantFactory.create()
    before = catalog_revision()

    deal = _create(variant, quantity_cap=100)

    assert Deal.objects.get().pk == deal.pk
    assert deal.currency == variant.currency
    assert catalog_revision() > before


def test_deal_create_refuses_an_overlap_with_a_stable_code():
    variant = VariantFactory.create()
    _create(variant)

    with pytest.raises(DealOverlaps) as caught:
        _create(variant, starts_at=NOW + timedelta(hours=3), ends_at=NOW + timedelta(days=3))

    assert caught.value.code == "deal_overlaps"
    assert Deal.objects.count() == 1


def test_deal_create_refuses_a_price_at_the_regular_price_with_the_field_named():
    with pytest.raises(DealInvalid) as caught:
        _create(VariantFactory.create(price=Decimal("99.00")))

    assert "deal_price" in caught.value.extra["errors"]


def test_deal_update_and_delete_invalidate_catalog_pages():
    deal = DealFactory.create()
    before = catalog_revision()

    deal.deal_price = Decimal("120.00")
    deal_save(deal=deal)
    after_update = catalog_revision()
    deal_delete(deal=deal)

    assert before < after_update < catalog_revision()


def test_promotion_saves_scope_changes_and_deletes_invalidate_catalog_pages():
    promotion = promotion_save(
        promotion=Promotion(
            title="Brand week", kind=PromotionKind.PERCENT, value=Decimal("15"), starts_at=NOW, ends_at=NOW + timedelta(days=7)
        )
    )
    revisions = [catalog_revision()]

    promotion.include_brands.set([BrandFactory.create()])
    revisions.append(catalog_revision())
    promotion_delete(promotion=promotion)
    revisions.append(catalog_revision())

    assert revisions == sorted(set(revisions))


def test_promotion_save_refuses_an_invalid_kind_combination():
    with pytest.raises(DealInvalid):
        promotion_save(promotion=PromotionFactory.build(kind=PromotionKind.BUY_X_GET_Y, value=None))


def test_take_counts_units_until_the_cap():
    deal = DealFactory.create(quantity_cap=3)

    results = [
        deal_units_take(deal_id=deal.pk, quantity=2, now=NOW),
        deal_units_take(deal_id=deal.pk, quantity=2, now=NOW),
        deal_units_take(deal_id=deal.pk, quantity=1, now=NOW),
    ]

    assert results == [True, False, True]
    deal.refresh_from_db()
    assert deal.units_sold == 3
    assert deal.is_sold_out


def test_take_without_a_cap_always_fits():
    deal = DealFactory.create(quantity_cap=None)

    assert deal_units_take(deal_id=deal.pk, quantity=1000, now=NOW)


def test_take_follows_the_window_exactly():
    deal = DealFactory.create()

    assert deal_units_take(deal_id=deal.pk, quantity=1, now=deal.starts_at)
    assert not deal_units_take(deal_id=deal.pk, quantity=1, now=deal.starts_at - timedelta(microseconds=1))
    assert not deal_units_take(deal_id=deal.pk, quantity=1, now=deal.ends_at)


def test_take_reads_the_clock_by_default(monkeypatch):
    deal = DealFactory.create()
    monkeypatch.setattr(clock, "now", lambda: deal.ends_at + timedelta(days=1))

    assert not deal_units_take(deal_id=deal.pk, quantity=1)


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5])
def test_take_and_release_refuse_bad_quantities(quantity):
    deal = DealFactory.create()

    with pytest.raises(InvalidInput):
        deal_units_take(deal_id=deal.pk, quantity=quantity, now=NOW)
    with pytest.raises(InvalidInput):
        deal_units_release(deal_id=deal.pk, quantity=quantity)


def test_release_gives_units_back_even_after_the_window_but_never_below_zero():
    deal = DealFactory.create(quantity_cap=2, units_sold=2)

    assert deal_units_release(deal_id=deal.pk, quantity=2)
    assert not deal_units_release(deal_id=deal.pk, quantity=1)
    deal.refresh_from_db()
    assert deal.units_sold == 0


def test_take_on_an_unknown_deal_is_refused():
    assert not deal_units_take(deal_id=987654, quantity=1, now=NOW)
