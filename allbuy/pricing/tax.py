"""Per-country VAT: standard rates only (no reduced rates, no US sales tax)."""

from decimal import Decimal

from allbuy.pricing.exceptions import UnknownCountry

# Standard rates as fractions. US is 0: state and local sales tax is out of scope for AllBuy,
# so US quotes carry no tax at all.
VAT_RATES: dict[str, Decimal] = {
    "AT": Decimal("0.20"),
    "BE": Decimal("0.21"),
    "CZ": Decimal("0.21"),
    "DE": Decimal("0.19"),
    "DK": Decimal("0.25"),
    "ES": Decimal("0.21"),
    "FI": Decimal("0.255"),
    "FR": Decimal("0.20"),
    "IE": Decimal("0.23"),
    "IT": Decimal("0.22"),
    "LU": Decimal("0.17"),
    "NL": Decimal("0.21"),
    "PL": Decimal("0.23"),
    "PT": Decimal("0.23"),
    "SE": Decimal("0.25"),
    "GB": Decimal("0.20"),
    "CH": Decimal("0.081"),
    "US": Decimal("0"),
}


def vat_rate(country: str) -> Decimal:
    """Return the standard VAT rate for an ISO 3166 alpha-2 country code, as a fraction (DE → 0.19)."""
    rate = VAT_RATES.get(country.upper())
    if rate is None:
        raise UnknownCountry(f"no VAT rate known for country {country!r}", extra={"country": country})
    return rate
