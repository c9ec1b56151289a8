"""`seed_demo`'s marketplace: merchants by brand, carriers, staff accounts that can sign in; never twice, no credentials."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from allbuy.catalog.demo import demo_catalog_seed
from allbuy.catalog.models import CatalogRevision, Product
from allbuy.fulfilment.demo import DEMO_MERCHANT_PASSWORD, demo_marketplace_seed
from allbuy.fulfilment.models import Carrier, CarrierToken, Merchant, MerchantStaff, StaffRole
from allbuy.fulfilment.services import carrier_for
from allbuy.fulfilment.tests.factories import merchant_create

pytestmark = pytest.mark.django_db

BRANDS = {
    "mi-store-berlin": {"xiaomi", "redmi", "poco"},
    "huawei-official-store": {"huawei"},
    "charge-and-co": {"anker", "ugreen", "baseus"},
}


@pytest.fixture
def catalog():
    demo_catalog_seed()


def test_a_first_run_makes_the_merchants_carriers_and_staff_and_assigns_every_product(catalog):
    # given
    revision = CatalogRevision.objects.get(pk=1).revision

    # when
    report = demo_marketplace_seed()

    # then every demo product is sold by the merchant of its brand
    assert (report.merchants, report.carriers, report.staff) == (3, 3, 2)
    assert report.products == Product.objects.count()
    names = dict(Merchant.objects.values_list("slug", "name"))
    assert names == {
        "mi-store-berlin": "Mi Store Berlin",
        "huawei-official-store": "Huawei Official Store",
        "charge-and-co": "Charge & Co.",
    }
    sold = {
        slug: set(Product.objects.filter(merchant__slug=slug).values_list("brand__slug", flat=True).distinct()) for slug in BRANDS
    }
    assert sold == BRANDS
    assert not Product.objects.filter(merchant__isnull=True).exists()
    assert CatalogRevision.objects.get(pk=1).revision > revision

    # and the carriers serve what the rule needs
    carriers = {c.code: (c.name, c.countries, c.price) for c in Carrier.objects.all()}
    assert carriers["dhl"] == ("DHL Parcel", ["DE", "AT"], Decimal("4.10"))
    assert carriers["ups"] == ("UPS", [], Decimal("7.50"))
    name, countries, price = carriers["dpd"]
    assert (name, price) == ("DPD", Decimal("4.90"))
    assert {"DE", "AT", "FR", "NL", "PL", "SE"} <= set(countries)
    assert not {"GB", "CH", "US"} & set(countries)
    assert [carrier_for(country).code for country in ("DE", "FR", "GB", "US")] == ["dhl", "dpd", "ups", "ups"]

    # and no credential was made
    assert not CarrierToken.objects.exists()
    assert not Carrier.objects.exclude(webhook_secret="").exists()


def test_the_demo_staff_have_their_roles_and_can_sign_in():
    # when
    demo_marketplace_seed()

    # then
    roles = set(MerchantStaff.objects.values_list("merchant__slug", "role"))
    assert roles == {("mi-store-berlin", StaffRole.PACKER), ("charge-and-co", StaffRole.OWNER)}
    for email in ("packer@mistore.example", "owner@chargeco.example"):
        client = Client()
        response = client.post("/accounts/login/", {"login": email, "password": DEMO_MERCHANT_PASSWORD})
        assert response.status_code == 302, email  # verified: signed in, not sent to confirm the address


def test_a_second_run_writes_nothing_and_keeps_products_an_operator_reassigned(catalog):
    # given a first run, then a product moved to another merchant by hand
    demo_marketplace_seed()
    other = merchant_create("Another Shop")
    moved = Product.objects.filter(brand__slug="xiaomi").first()
    assert moved is not None
    Product.objects.filter(pk=moved.pk).update(merchant=other)
    revision = CatalogRevision.objects.get(pk=1).revision

    # when
    again = demo_marketplace_seed()

    # then
    assert (again.merchants, again.carriers, again.products, again.staff) == (0, 0, 0, 0)
    assert Product.objects.get(pk=moved.pk).merchant == other
    assert (Merchant.objects.count(), Carrier.objects.count(), MerchantStaff.objects.count()) == (4, 3, 2)
    assert CatalogRevision.objects.get(pk=1).revision == revision


def test_seed_demo_reports_the_marketplace_on_its_one_line_and_prints_no_credential():
    # given
    out = StringIO()

    # when
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())  # and again: nothing new

    # then
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "marketplace: 3 new merchants, 3 new carriers, " in lines[0]
    assert "2 new merchant staff" in lines[0]
    assert "abct_" not in lines[0]
    assert not CarrierToken.objects.exists()
    assert (Merchant.objects.count(), Carrier.objects.count()) == (3, 3)
