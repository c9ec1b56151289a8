from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory

from allbuy.catalog.tests.factories import VariantFactory
from allbuy.deals.models import Deal, Promotion, PromotionKind

NOW = datetime(2025, 6, 10, 10, 0, tzinfo=UTC)


class DealFactory(factory.django.DjangoModelFactory[Deal]):
    class Meta:
        model = Deal

    variant = factory.SubFactory(VariantFactory)
    title = factory.Sequence(lambda n: f"Deal {n}")
    deal_price = Decimal("149.00")
    currency = factory.LazyAttribute(lambda o: o.variant.currency)
    starts_at = NOW - timedelta(hours=1)
    ends_at = NOW + timedelta(hours=5)


class PromotionFactory(factory.django.DjangoModelFactory[Promotion]):
    class Meta:
        model = Promotion

    title = factory.Sequence(lambda n: f"Promotion {n}")
    kind = PromotionKind.PERCENT
    value = Decimal("10")
    starts_at = NOW - timedelta(days=1)
    ends_at = NOW + timedelta(days=1)
