"""Checks on typed contact details: countries, postcodes, phone numbers, invisible characters."""

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from allbuy.accounts.countries import COUNTRY_CHOICES, COUNTRY_NAMES
from allbuy.accounts.validators import address_values_clean, phone_clean, postcode_clean, validate_plain_text

EU = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
      "PL", "PT", "RO", "SK", "SI", "ES", "SE"]  # fmt: skip
REQUIRED = [*EU, "IS", "LI", "NO", "GB", "CH", "US", "CA", "CN", "HK", "JP", "KR", "AU", "NZ", "SG", "IN"]


def test_every_listed_country_is_a_phone_region_and_the_required_ones_are_listed():
    assert set(COUNTRY_NAMES) <= phonenumbers.SUPPORTED_REGIONS
    assert set(REQUIRED) <= set(COUNTRY_NAMES)
    assert [name for _, name in COUNTRY_CHOICES] == sorted(COUNTRY_NAMES.values())


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("DE", "10117", "10117"),
        ("FR", "75 001", "75001"),
        ("ES", "28013", "28013"),
        ("IT", "00184", "00184"),
        ("NL", "1012ab", "1012 AB"),
        ("PL", "00-950", "00-950"),
        ("GB", "sw1a1aa", "SW1A 1AA"),
        ("GB", "GIR 0AA", "GIR 0AA"),
        ("US", "94105-1234", "94105-1234"),
        ("CA", "k1a0b1", "K1A 0B1"),
        ("CN", "100000", "100000"),
        ("JP", "1000001", "100-0001"),
        ("IE", "d02x285", "D02 X285"),
        ("IE", "", ""),
        ("SE", "11455", "114 55"),
        ("HK", "", ""),
        ("ZA", "8001", "8001"),
    ],
)
def test_valid_postcodes_are_stored_in_their_usual_form(country, typed, stored):
    assert postcode_clean(typed, country=country) == stored


@pytest.mark.parametrize(
    ("country", "typed"),
    [("DE", "1011"), ("DE", "101170"), ("ES", "53001"), ("NL", "0123 AB"), ("PL", "00950"), ("US", "9410"), ("GB", "12345"),
     ("CA", "D1A 0B1"), ("JP", "1000-001"), ("FR", ""), ("HK", "999077"), ("ZA", "<script>")],
)  # fmt: skip
def test_invalid_postcodes_are_refused(country, typed):
    with pytest.raises(ValidationError):
        postcode_clean(typed, country=country)


@given(
    st.sampled_from(["GB", "CA", "NL", "JP", "SE", "FR", "IE"]),
    st.text(alphabet="ABCDEFGHJKLMNPRSTVWXY0123456789 -", max_size=10),
)
def test_a_stored_postcode_is_accepted_again_unchanged(country, typed):
    try:
        stored = postcode_clean(typed, country=country)
    except ValidationError:
        return
    assert postcode_clean(stored, country=country) == stored


@pytest.mark.parametrize(
    ("typed", "region", "stored"),
    [
        ("+49 30 1234567", None, "+49301234567"),
        ("0049 30 1234567", None, "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("+44 20 7925 0918", "DE", "+442079250918"),
        ("", None, ""),
    ],
)
def test_phone_numbers_are_stored_in_e164(typed, region, stored):
    assert phone_clean(typed, region=region) == stored


@pytest.mark.parametrize(
    ("typed", "region"), [("030 1234567", None), ("+49 1", None), ("12", "GB"), ("phone", "DE"), ("+" + "9" * 60, None)]
)
def test_invalid_phone_numbers_are_refused(typed, region):
    with pytest.raises(ValidationError):
        phone_clean(typed, region=region)


@pytest.mark.parametrize("text", ["a\x00b", "a\nb", "a\tb", "a\u202eb", "a\u2066b", "a\u2028b", "a\x1bb"])
def test_control_characters_are_refused(text):
    with pytest.raises(ValidationError):
        validate_plain_text(text)


@pytest.mark.parametrize("text", ["Zoë Ångström", "王小明", "محمد", "Ｆｕｌｌ", "O'Brien-Smith", "<b>x</b>", "👩‍💻 Dev"])
def test_names_in_any_script_are_kept_as_typed(text):
    validate_plain_text(text)


def test_an_address_reports_every_wrong_field_at_once():
    with pytest.raises(ValidationError) as caught:
        address_values_clean(
            {"recipient_name": "", "line1": "x" * 201, "city": "Berlin", "country": "DE", "postcode": "1", "phone": "1"}
        )
    assert set(caught.value.error_dict) == {"recipient_name", "line1", "postcode", "phone"}
