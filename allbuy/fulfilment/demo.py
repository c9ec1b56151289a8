"""The demo marketplace for `seed_demo`: three merchants selling the catalog by brand, three carriers, two staff accounts.

Idempotent like the rest of `seed_demo`: merchants, carriers and accounts are made once (by slug, code and email);
products are given a merchant only while they have none, so a product an operator reassigned stays where it is.
No credential is made here: carrier tokens and webhook secrets come from the admin or the commands, shown once.
The staff accounts' password is public (README), like the demo customer's: production never runs `seed_demo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import transaction

from allbuy.accounts.identity import email_pseudonym
from allbuy.accounts.models import User
from allbuy.accounts.services import user_create
from allbuy.catalog.models import Product
from allbuy.catalog.services import catalog_revision_bump
from allbuy.fulfilment.models import Carrier, Merchant, MerchantStaff, StaffRole
from allbuy.pricing.tax import VAT_RATES

DEMO_MERCHANT_PASSWORD = "allbuy-demo-merchant"  # noqa: S105 - a published demo credential, see the module docstring

# (slug, name, brand slugs it sells)
MERCHANTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("mi-store-berlin", "Mi Store Berlin", ("xiaomi", "redmi", "poco")),
    ("huawei-official-store", "Huawei Official Store", ("huawei",)),
    ("charge-and-co", "Charge & Co.", ("anker", "ugreen", "baseus")),
)

# The member states of the European Union (ISO 3166-1 alpha-2).
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()  # noqa: SIM905
)

# (code, name, countries served — empty: everywhere, price per parcel)
CARRIERS: tuple[tuple[str, str, tuple[str, ...], Decimal], ...] = (
    ("dhl", "DHL Parcel", ("DE", "AT"), Decimal("4.10")),
    ("dpd", "DPD", tuple(sorted(code for code in VAT_RATES if code in EU_MEMBERS)), Decimal("4.90")),
    ("ups", "UPS", (), Decimal("7.50")),
)

# (email, full name, merchant slug, role)
STAFF: tuple[tuple[str, str, str, str], ...] = (
    ("packer@mistore.example", "Mi Store Packer", "mi-store-berlin", StaffRole.PACKER),
    ("owner@chargeco.example", "Charge & Co. Owner", "charge-and-co", StaffRole.OWNER),
)


@dataclass(frozen=True)
class MarketplaceReport:
    merchants: int
    carriers: int
    products: int
    staff: int

    def summary(self) -> str:
        return (
            f"marketplace: {self.merchants} new merchants, {self.carriers} new carriers, "
            f"{self.products} products assigned, {self.staff} new merchant staff"
        )


def _staff_account(email: str, full_name: str) -> tuple[User, bool]:
    user = User.objects.filter(email=email_pseudonym(email)).first()
    if user is not None:
        return user, False
    user = user_create(email=email, password=DEMO_MERCHANT_PASSWORD, full_name=full_name)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user, True


def demo_marketplace_seed() -> MarketplaceReport:
    """Create the demo merchants, carriers and merchant staff, and give unassigned products their merchant."""
    with transaction.atomic():
        merchants: dict[str, Merchant] = {}
        new_merchants = 0
        assigned = 0
        for slug, name, brands in MERCHANTS:
            merchant, created = Merchant.objects.get_or_create(slug=slug, defaults={"name": name})
            merchants[slug] = merchant
            new_merchants += created
            assigned += Product.objects.filter(merchant__isnull=True, brand__slug__in=brands).update(merchant=merchant)
        new_carriers = 0
        for code, name, countries, price in CARRIERS:
            _, created = Carrier.objects.get_or_create(
                code=code, defaults={"name": name, "countries": list(countries), "price": price}
            )
            new_carriers += created
        new_staff = 0
        for email, full_name, merchant_slug, role in STAFF:
            user, _ = _staff_account(email, full_name)
            _, created = MerchantStaff.objects.get_or_create(
                merchant=merchants[merchant_slug], user=user, defaults={"role": role}
            )
            new_staff += created
        if assigned:
            catalog_revision_bump()  # a bulk update sends no signals; product pages may name the merchant
    return MarketplaceReport(merchants=new_merchants, carriers=new_carriers, products=assigned, staff=new_staff)
