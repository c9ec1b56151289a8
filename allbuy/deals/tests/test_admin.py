from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from allbuy.catalog.selectors import catalog_revision
from allbuy.catalog.tests.factories import BrandFactory, VariantFactory
from allbuy.deals.models import Deal, Promotion
from allbuy.deals.tests.factories import DealFactory, PromotionFactory

pytestmark = pytest.mark.django_db


def _deal_form(variant, **overrides):
    data = {
        "variant": variant.pk,
        "title": "Deal of the day",
        "deal_price": "149.00",
        "currency": "",
        "starts_at_0": "2030-06-10",
        "starts_at_1": "00:00:00",
        "ends_at_0": "2030-06-11",
        "ends_at_1": "00:00:00",
        "quantity_cap": "100",
        "per_customer_limit": "",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("model", [Deal, Promotion], ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_render(admin_client, model):
    obj = DealFactory.create() if model is Deal else PromotionFactory.create()
    name = model._meta.model_name

    for status in ("", "active", "upcoming", "past"):
        assert (
            admin_client.get(reverse(f"admin:deals_{name}_changelist"), {"status": status} if status else {}).status_code == 200
        )
    assert admin_client.get(reverse(f"admin:deals_{name}_add")).status_code == 200
    assert admin_client.get(reverse(f"admin:deals_{name}_change", args=[obj.pk])).status_code == 200


def test_status_filter_splits_past_active_and_upcoming(admin_client, monkeypatch):
    from allbuy.core import clock
    from allbuy.deals.tests.factories import NOW

    monkeypatch.setattr(clock, "now", lambda: NOW)
    active = DealFactory.create()
    past = DealFactory.create(starts_at=NOW - timedelta(days=2), ends_at=NOW - timedelta(days=1))
    upcoming = DealFactory.create(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=2))
    url = reverse("admin:deals_deal_changelist")

    found = {s: list(admin_client.get(url, {"status": s}).context["cl"].result_list) for s in ("active", "past", "upcoming")}

    assert found == {"active": [active], "past": [past], "upcoming": [upcoming]}


def test_admin_creates_a_deal_and_invalidates_catalog_pages(admin_client):
    variant = VariantFactory.create(price=Decimal("199.00"))
    before = catalog_revision()

    response = admin_client.post(reverse("admin:deals_deal_add"), _deal_form(variant))

    assert response.status_code == 302
    deal = Deal.objects.get()
    assert (deal.currency, deal.quantity_cap) == ("EUR", 100)
    assert catalog_revision() > before


def test_admin_shows_a_price_at_or_above_regular_on_the_price_field(admin_client):
    variant = VariantFactory.create(price=Decimal("199.00"))

    response = admin_client.post(reverse("admin:deals_deal_add"), _deal_form(variant, deal_price="199.00"))

    assert response.status_code == 200
    assert "below the regular price" in response.context["adminform"].form.errors["deal_price"][0]
    assert not Deal.objects.exists()


def test_admin_shows_an_overlapping_window_clearly(admin_client):
    variant = VariantFactory.create()
    admin_client.post(reverse("admin:deals_deal_add"), _deal_form(variant))

    response = admin_client.post(
        reverse("admin:deals_deal_add"), _deal_form(variant, starts_at_1="12:00:00", ends_at_0="2030-06-12")
    )

    assert response.status_code == 200
    assert "overlaps" in response.content.decode()
    assert Deal.objects.count() == 1


def test_promotion_admin_refuses_a_brand_both_included_and_excluded(admin_client):
    brand = BrandFactory.create()
    data = {
        "title": "Brand week",
        "banner_text": "15% off",
        "is_active": "on",
        "starts_at_0": "2030-06-10",
        "starts_at_1": "00:00:00",
        "ends_at_0": "2030-06-17",
        "ends_at_1": "00:00:00",
        "kind": "percent",
        "value": "15",
        "currency": "EUR",
        "priority": "0",
        "include_brands": [brand.pk],
        "exclude_brands": [brand.pk],
    }

    refused = admin_client.post(reverse("admin:deals_promotion_add"), data)
    accepted = admin_client.post(reverse("admin:deals_promotion_add"), {**data, "exclude_brands": []})

    assert "cannot be both included and excluded" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(Promotion.objects.get().include_brands.all()) == [brand]
