"""Checks for what people type into their profile and address book: text, phone numbers, postcodes."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError

from allbuy.accounts.countries import COUNTRY_NAMES, country_name

NAME_MAX_LENGTH = 100
LINE_MAX_LENGTH = 200
CITY_MAX_LENGTH = 100
POSTCODE_MAX_LENGTH = 12
PHONE_MAX_LENGTH = 40

# Bidirectional overrides and isolates can make stored text display differently from what it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def validate_plain_text(value: str) -> None:
    """Refuse control characters, line breaks and bidirectional overrides in a one-line text field."""
    for char in value:
        if char in _BIDI_CONTROLS or unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"}:
            raise ValidationError(
                "Remove the line breaks or invisible control characters from this field.", code="control_character"
            )


def phone_clean(value: str, *, region: str | None = None) -> str:
    """Return the number in E.164 form ("+4930123456"), or raise ValidationError saying what is wrong.

    Without a region the number must start with its country code.
    """
    text = value.strip()
    if not text:
        return ""
    if len(text) > PHONE_MAX_LENGTH:
        raise ValidationError(f"A phone number has at most {PHONE_MAX_LENGTH} characters.", code="phone_too_long")
    if text.startswith("00"):
        text = "+" + text[2:]  # the international call prefix used across Europe
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        if region is None and not text.startswith("+"):
            raise ValidationError(
                "Start the number with its country code, for example +49 30 1234567.", code="phone_no_country"
            ) from None
        raise ValidationError("Enter a phone number: digits, spaces and an optional leading +.", code="phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        where = f" for {country_name(region)}" if region and not text.startswith("+") else ""
        raise ValidationError(
            f"This is not a valid phone number{where}. Check the digits and the country code.", code="phone_invalid"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_POSTCODE_PATTERNS: dict[str, str] = {
    "AT": r"\d{4}",
    "AU": r"\d{4}",
    "BE": r"\d{4}",
    "BG": r"\d{4}",
    "BR": r"\d{5}-?\d{3}",
    "CA": r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d",
    "CH": r"\d{4}",
    "CN": r"\d{6}",
    "CY": r"\d{4}",
    "CZ": r"\d{3} ?\d{2}",
    "DE": r"\d{5}",
    "DK": r"\d{4}",
    "EE": r"\d{5}",
    "ES": r"(0[1-9]|[1-4]\d|5[0-2])\d{3}",
    "FI": r"\d{5}",
    "FR": r"\d{2} ?\d{3}",
    "GB": r"GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    "GR": r"\d{3} ?\d{2}",
    "HR": r"\d{5}",
    "HU": r"\d{4}",
    "IE": r"([AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}",
    "IN": r"[1-9]\d{2} ?\d{3}",
    "IS": r"\d{3}",
    "IT": r"\d{5}",
    "JP": r"\d{3}-?\d{4}",
    "KR": r"\d{5}",
    "LI": r"94(8[5-9]|9[0-8])",
    "LT": r"(LT-?)?\d{5}",
    "LU": r"(L-?)?\d{4}",
    "LV": r"(LV-?)?\d{4}",
    "MT": r"[A-Z]{3} ?\d{2,4}",
    "MX": r"\d{5}",
    "NL": r"[1-9]\d{3} ?[A-Z]{2}",
    "NO": r"\d{4}",
    "NZ": r"\d{4}",
    "PL": r"\d{2}-\d{3}",
    "PT": r"\d{4}-\d{3}",
    "RO": r"\d{6}",
    "SE": r"\d{3} ?\d{2}",
    "SG": r"\d{6}",
    "SI": r"(SI-)?\d{4}",
    "SK": r"\d{3} ?\d{2}",
    "TW": r"\d{3}(\d{2,3})?",
    "US": r"\d{5}(-\d{4})?",
}
_POSTCODE_RE = {code: re.compile(rf"(?:{pattern})") for code, pattern in _POSTCODE_PATTERNS.items()}
_POSTCODE_EXAMPLES: dict[str, str] = {
    "CA": "K1A 0B1",
    "DE": "10115",
    "ES": "28013",
    "FR": "75001",
    "GB": "SW1A 1AA",
    "IE": "D02 X285",
    "JP": "100-0001",
    "NL": "1012 AB",
    "PL": "00-950",
    "PT": "1100-148",
    "US": "94105",
}
_GENERIC_POSTCODE = re.compile(r"[A-Z0-9](?:[A-Z0-9 -]{0,10}[A-Z0-9])?")
# Places without postcodes, and places where they are optional.
NO_POSTCODE = frozenset({"HK", "MO", "AE"})
OPTIONAL_POSTCODE = frozenset({"IE", "CO"})
REGION_REQUIRED = frozenset({"US", "CA", "AU", "CN", "JP", "IN", "BR", "MX"})


def _postcode_tidy(country: str, text: str) -> str:
    """Write a valid postcode the way the post office prints it: "sw1a1aa" becomes "SW1A 1AA"."""
    compact = text.replace(" ", "")
    if country in {"GB", "CA", "IE"} and len(compact) > 4:
        return f"{compact[:-3]} {compact[-3:]}" if country != "IE" else f"{compact[:3]} {compact[3:]}"
    if country == "NL":
        return f"{compact[:4]} {compact[4:]}"
    if country == "JP" and "-" not in compact:
        return f"{compact[:3]}-{compact[3:]}"
    if country in {"CZ", "SK", "GR", "SE"}:
        return f"{compact[:3]} {compact[3:]}"
    if country == "FR":
        return compact
    return " ".join(text.split())


def postcode_clean(value: str, *, country: str) -> str:
    """Return the postcode in its usual form for `country`, or raise ValidationError explaining the format."""
    text = " ".join(value.upper().split())
    name = country_name(country)
    if country in NO_POSTCODE:
        if text:
            raise ValidationError(f"Addresses in {name} have no postcode: leave this field empty.", code="postcode_not_used")
        return ""
    if not text:
        if country in OPTIONAL_POSTCODE:
            return ""
        raise ValidationError(f"Enter the postcode: addresses in {name} need one.", code="postcode_required")
    if len(text) > POSTCODE_MAX_LENGTH:
        raise ValidationError(f"A postcode has at most {POSTCODE_MAX_LENGTH} characters.", code="postcode_too_long")
    pattern = _POSTCODE_RE.get(country, _GENERIC_POSTCODE)
    if not pattern.fullmatch(text):
        example = _POSTCODE_EXAMPLES.get(country)
        hint = f" (for example {example})" if example else ""
        raise ValidationError(f"This is not a valid postcode for {name}{hint}.", code="postcode_invalid")
    return _postcode_tidy(country, text)


def country_clean(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRY_NAMES:
        raise ValidationError("Choose a country from the list.", code="country_invalid")
    return code


ADDRESS_TEXT_LIMITS: dict[str, tuple[int, bool]] = {
    # field: (max length, required)
    "recipient_name": (NAME_MAX_LENGTH, True),
    "line1": (LINE_MAX_LENGTH, True),
    "line2": (LINE_MAX_LENGTH, False),
    "city": (CITY_MAX_LENGTH, True),
    "region": (CITY_MAX_LENGTH, False),
}


def text_clean(value: str, *, max_length: int, required: bool) -> str:
    """Return the trimmed one-line text, or raise ValidationError (empty when required, too long, control characters)."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError("This field is required.", code="required")
    if len(text) > max_length:
        raise ValidationError(f"Use at most {max_length} characters (this has {len(text)}).", code="max_length")
    validate_plain_text(text)
    return text


def address_values_clean(values: dict[str, str]) -> dict[str, str]:
    """Return an address's values checked and normalised, or raise ValidationError with an error per field.

    Keys: recipient_name, line1, line2, city, region, postcode, country (ISO code), phone.
    """
    cleaned: dict[str, str] = {}
    errors: dict[str, ValidationError] = {}
    for name, (limit, required) in ADDRESS_TEXT_LIMITS.items():
        try:
            cleaned[name] = text_clean(values.get(name, ""), max_length=limit, required=required)
        except ValidationError as error:
            errors[name] = error
    try:
        country = country_clean(values.get("country", ""))
    except ValidationError as error:
        errors["country"] = error
        raise ValidationError(errors) from None
    cleaned["country"] = country
    if "region" in cleaned and not cleaned["region"] and country in REGION_REQUIRED:
        errors["region"] = ValidationError(
            f"Enter the state, province or prefecture: addresses in {country_name(country)} need it.", code="region_required"
        )
    checks = (
        ("postcode", lambda text: postcode_clean(text, country=country)),
        ("phone", lambda text: phone_clean(text, region=country)),
    )
    for name, check in checks:
        try:
            validate_plain_text(values.get(name, ""))
            cleaned[name] = check(values.get(name, ""))
        except ValidationError as error:
            errors[name] = error
    if not cleaned.get("phone") and "phone" not in errors:
        errors["phone"] = ValidationError("Enter a phone number the carrier can call about the delivery.", code="required")
    if errors:
        raise ValidationError(errors)
    return cleaned
