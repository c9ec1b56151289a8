from datetime import UTC, datetime
from decimal import Decimal

import factory

from allbuy.coupons.models import Coupon, CouponKind

WINDOW_START = datetime(2026, 1, 1, tzinfo=UTC)


class CouponFactory(factory.django.DjangoModelFactory[Coupon]):
    class Meta:
        model = Coupon

    code = factory.Sequence(lambda n: f"SAVE{n:04d}")
    kind = CouponKind.PERCENT
    value = Decimal("10")
    valid_from = WINDOW_START
    valid_until = None
