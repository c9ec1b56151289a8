from decimal import Decimal

import pytest

from allbuy.pricing.exceptions import UnknownCountry
from allbuy.pricing.tax import VAT_RATES, vat_rate

EU = ["DE", "FR", "IT", "ES", "NL", "BE", "AT", "PL", "SE", "IE", "PT", "FI", "DK", "CZ", "LU"]


def test_every_required_country_has_a_rate():
    assert set(EU) | {"GB", "CH", "US"} == set(VAT_RATES)


def test_rates_are_fractions():
    assert vat_rate("DE") == Decimal("0.19")
    assert vat_rate("ch") == Decimal("0.081")
    assert vat_rate("US") == Decimal("0")
    assert all(Decimal(0) <= rate < 1 for rate in VAT_RATES.values())


def test_unknown_country_names_itself():
    with pytest.raises(UnknownCountry, match="'ZZ'") as error:
        vat_rate("ZZ")
    assert error.value.code == "unknown_country"
