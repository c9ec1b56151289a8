"""Countries AllBuy delivers to: ISO 3166-1 alpha-2 codes with their English names.

Every code is also a `phonenumbers` region (a test proves it), so a delivery phone number can be
checked against the address's country.
"""

from __future__ import annotations

COUNTRY_NAMES: dict[str, str] = {
    # European Union
    "AT": "Austria",
    "BE": "Belgium",
    "BG": "Bulgaria",
    "HR": "Croatia",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DK": "Denmark",
    "EE": "Estonia",
    "FI": "Finland",
    "FR": "France",
    "DE": "Germany",
    "GR": "Greece",
    "HU": "Hungary",
    "IE": "Ireland",
    "IT": "Italy",
    "LV": "Latvia",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "MT": "Malta",
    "NL": "Netherlands",
    "PL": "Poland",
    "PT": "Portugal",
    "RO": "Romania",
    "SK": "Slovakia",
    "SI": "Slovenia",
    "ES": "Spain",
    "SE": "Sweden",
    # Rest of the EEA, and Europe beyond it
    "IS": "Iceland",
    "LI": "Liechtenstein",
    "NO": "Norway",
    "CH": "Switzerland",
    "GB": "United Kingdom",
    "AD": "Andorra",
    "MC": "Monaco",
    "SM": "San Marino",
    "AL": "Albania",
    "BA": "Bosnia and Herzegovina",
    "ME": "Montenegro",
    "MK": "North Macedonia",
    "RS": "Serbia",
    "MD": "Moldova",
    "UA": "Ukraine",
    "TR": "Türkiye",
    # Americas
    "US": "United States",
    "CA": "Canada",
    "MX": "Mexico",
    "BR": "Brazil",
    "AR": "Argentina",
    "CL": "Chile",
    "CO": "Colombia",
    # Asia and Oceania
    "CN": "China",
    "HK": "Hong Kong",
    "MO": "Macao",
    "TW": "Taiwan",
    "JP": "Japan",
    "KR": "South Korea",
    "SG": "Singapore",
    "MY": "Malaysia",
    "TH": "Thailand",
    "VN": "Vietnam",
    "PH": "Philippines",
    "ID": "Indonesia",
    "IN": "India",
    "AU": "Australia",
    "NZ": "New Zealand",
    # Middle East and Africa
    "IL": "Israel",
    "AE": "United Arab Emirates",
    "SA": "Saudi Arabia",
    "ZA": "South Africa",
}

COUNTRY_CHOICES: list[tuple[str, str]] = sorted(COUNTRY_NAMES.items(), key=lambda item: item[1])


def country_name(code: str) -> str:
    """Return the English name of a country code, or the code itself if AllBuy does not list it."""
    return COUNTRY_NAMES.get(code, code)
