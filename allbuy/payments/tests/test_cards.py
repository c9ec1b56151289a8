"""Card details are checked before anything is sent, and a card never shows more than its last four digits."""

from datetime import UTC, datetime

import pytest

from allbuy.core.errors import ApplicationError
from allbuy.payments.exceptions import CardInvalid
from allbuy.payments.gateway import Card, card_brand, card_parse, luhn_valid
from allbuy.payments.tests.conftest import NOW


def parse(number: str = "4242 4242 4242 4242", month: int | str = 12, year: int | str = 2030, cvc: str = "123", now=NOW):
    return card_parse(number=number, exp_month=month, exp_year=year, cvc=cvc, now=now)


def refused(**kwargs) -> CardInvalid:
    with pytest.raises(CardInvalid) as caught:
        parse(**kwargs)
    return caught.value


def test_a_valid_card_is_parsed_without_separators():
    card = parse("4242-4242 4242  4242", month="07", year="31", cvc=" 123 ")
    assert card == Card(number="4242424242424242", exp_month=7, exp_year=2031, cvc="123")
    assert card.last4 == "4242"
    assert card.brand == "visa"


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("341111111111111", "amex"),
        ("6011111111111117", "card"),
    ],
)
def test_the_brand_is_read_from_the_first_digits(number, brand):
    assert card_brand(number) == brand
    assert parse(number, cvc="1234").brand == brand


@pytest.mark.parametrize(
    "number",
    [
        "4242 4242 4242 4241",  # fails the Luhn check
        "4242 4242 424",  # 11 digits
        "4" + "0" * 18 + "00",  # 21 digits
        "4242 4242 4242 424x",
        "4242.4242.4242.4242",
        "٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢",  # digits, but not ASCII digits
        "",
    ],
)
def test_a_bad_number_is_refused(number):
    error = refused(number=number)
    assert error.code == "card_number_invalid"
    assert error.status == 400
    assert "card number" in error.message
    assert isinstance(error, ApplicationError)


def test_twelve_and_nineteen_digit_numbers_are_accepted():
    twelve = next(f"4000000{n:05d}" for n in range(100_000) if luhn_valid(f"4000000{n:05d}"))
    nineteen = next(f"400000000000000{n:04d}" for n in range(10_000) if luhn_valid(f"400000000000000{n:04d}"))
    assert parse(twelve).number == twelve
    assert parse(nineteen).number == nineteen


@pytest.mark.parametrize(
    ("month", "year"), [(0, 2030), (13, 2030), ("ab", 2030), (12, "20x0"), (12, 1999), (12, 2070), (True, 2030)]
)
def test_an_impossible_expiry_date_is_refused(month, year):
    assert refused(month=month, year=year).code == "card_expiry_invalid"


def test_a_card_is_valid_through_its_expiry_month():
    assert parse(month=11, year=2026, now=datetime(2026, 11, 30, 23, 59, tzinfo=UTC)).exp_month == 11
    error = refused(month=11, year=2026, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert error.code == "card_expired"
    assert error.message == "This card has expired. Please use another card."
    assert refused(month=12, year=25).code == "card_expired"


@pytest.mark.parametrize("cvc", ["12", "12345", "12a", "", "1 2 3"])
def test_a_bad_cvc_is_refused(cvc):
    error = refused(cvc=cvc)
    assert error.code == "card_cvc_invalid"
    assert error.extra == {"field": "cvc"}


def test_a_card_shows_only_its_brand_and_last_four_digits():
    card = parse("4000 0566 5566 5556", cvc="987")
    for text in (repr(card), str(card), f"{card}", f"{card!r}", str([card])):
        assert "4000056655665556" not in text
        assert "0566" not in text
        assert "987" not in text
        assert "2030" not in text
        assert "5556" in text
    assert str(card) == "visa •••• 5556"
