from decimal import Decimal

import pytest
from django.http import QueryDict

from allbuy.catalog.exceptions import InvalidCatalogQuery
from allbuy.catalog.query import ProductQuery, product_query_params, product_query_parse


def parse(qs: str, **kwargs: bool) -> ProductQuery:
    return product_query_parse(QueryDict(qs), **kwargs)


def test_parses_every_filter():
    query = parse(
        "q=redmi++note&category=phones&brand=xiaomi,redmi&brand=poco&price_min=100&price_max=300.5&in_stock=1&sort=price_asc&page=2"
    )
    assert query == ProductQuery(
        q="redmi note",
        category="phones",
        brands=("xiaomi", "redmi", "poco"),
        price_min=Decimal("100"),
        price_max=Decimal("300.5"),
        in_stock=True,
        sort="price_asc",
        page=2,
    )


@pytest.mark.parametrize(
    ("qs", "code"),
    [
        ("page=0", "invalid_page"),
        ("page=1000000000", "invalid_page"),
        ("page=abc", "invalid_page"),
        ("page=²", "invalid_page"),
        ("page=-1", "invalid_page"),
        ("per_page=1000", "invalid_per_page"),
        ("sort=cheapest", "invalid_sort"),
        ("q=" + "x" * 10_000, "query_too_long"),
        ("q=a%00b", "invalid_character"),
        ("price_min=abc", "invalid_price"),
        ("price_min=NaN", "invalid_price"),
        ("price_min=-5", "invalid_price"),
        ("price_min=1e9", "invalid_price"),
        ("price_min=300&price_max=100", "invalid_price"),
        ("in_stock=maybe", "invalid_in_stock"),
        ("brand=Not%20A%20Slug", "invalid_brand"),
        ("category=../etc", "invalid_category"),
        ("page=1&page=2", "repeated_parameter"),
    ],
)
def test_refuses_bad_input_with_a_code(qs, code):
    with pytest.raises(InvalidCatalogQuery) as caught:
        parse(qs)
    assert caught.value.code == code
    assert caught.value.status == 400


def test_pages_ignore_unknown_parameters_but_the_api_refuses_them():
    assert parse("utm_source=newsletter").q == ""
    with pytest.raises(InvalidCatalogQuery) as caught:
        parse("utm_source=newsletter", strict=True)
    assert caught.value.code == "unknown_parameter"


def test_params_round_trip_and_omit_defaults():
    query = parse("q=band&brand=xiaomi&in_stock=1&page=3")
    params = product_query_params(query, page=1)
    assert params == {"q": "band", "brand": ["xiaomi"], "in_stock": "1"}
    again = QueryDict(mutable=True)
    for key, value in params.items():
        again.setlist(key, value if isinstance(value, list) else [value])
    assert product_query_parse(again).brands == ("xiaomi",)
