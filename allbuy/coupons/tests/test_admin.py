import csv
import io

import pytest
from django.urls import reverse

from allbuy.coupons.models import Coupon
from allbuy.coupons.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    from allbuy.accounts.tests.factories import customer_create

    staff = customer_create("staff@example.org", is_staff=True, is_superuser=True)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_export_codes_as_csv(staff_client):
    first, second = CouponFactory.create(code="ONE-1"), CouponFactory.create(code="TWO-2")
    response = staff_client.post(
        reverse("admin:coupons_coupon_changelist"),
        {"action": "export_codes_csv", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[0] for row in rows] == ["code", "ONE-1", "TWO-2"]


def test_changelist_searches_by_code(staff_client):
    CouponFactory.create(code="FINDME")
    response = staff_client.get(reverse("admin:coupons_coupon_changelist"), {"q": "findme"})
    assert response.status_code == 200
    assert b"FINDME" in response.content


def test_admin_form_refuses_a_percent_above_100(staff_client):
    response = staff_client.post(
        reverse("admin:coupons_coupon_add"),
        {
            "code": "TOOMUCH", "kind": "percent", "value": "150", "currency": "", "min_subtotal": "0",
            "is_active": "on", "valid_from_0": "2026-01-01", "valid_from_1": "00:00:00",
            "valid_until_0": "", "valid_until_1": "",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert b"A percentage must be above 0 and at most 100." in response.content
    assert not Coupon.objects.exists()


def test_admin_form_saves_a_valid_coupon_upper_case(staff_client):
    response = staff_client.post(
        reverse("admin:coupons_coupon_add"),
        {
            "code": "summer", "kind": "fixed", "value": "5", "currency": "eur", "min_subtotal": "0",
            "is_active": "on", "valid_from_0": "2026-01-01", "valid_from_1": "00:00:00",
            "valid_until_0": "2026-02-01", "valid_until_1": "00:00:00",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    coupon = Coupon.objects.get()
    assert (coupon.code, coupon.code_key, coupon.currency) == ("SUMMER", "SUMMER", "EUR")
