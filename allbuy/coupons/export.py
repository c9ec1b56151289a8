"""Write coupon codes as CSV, for the admin action and `manage.py coupons_generate`."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from allbuy.coupons.models import Coupon
from allbuy.coupons.selectors import coupon_csv_rows


def coupons_csv_write(*, coupons: Iterable[Coupon], out: Any) -> int:
    """Write the header and one row per coupon to `out` (anything with `write`); return the number of coupons."""
    writer = csv.writer(out)
    rows = coupon_csv_rows(coupons=coupons)
    writer.writerow(next(rows))
    written = 0
    for row in rows:
        writer.writerow(row)
        written += 1
    return written
