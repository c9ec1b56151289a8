import pytest
from django.test import RequestFactory

from allbuy.storefront.errors import server_error
from allbuy.storefront.tests.conftest import HX

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "cheapest"}, "Unknown sort order"),
        ({"page": "0"}, "&#x27;page&#x27; must be a whole number"),
        ({"page": "abc"}, "&#x27;page&#x27; must be a whole number"),
        ({"page": str(10**9)}, "&#x27;page&#x27; must be a whole number"),
        ({"price_min": "cheap"}, "must be a number"),
        ({"price_min": "500", "price_max": "100"}, "must not be above"),
        ({"in_stock": "maybe"}, "&#x27;in_stock&#x27; must be 1 or 0"),
        ({"per_page": "1000"}, "per_page"),
        ({"sort": ["name", "price_asc"]}, "Give &#x27;sort&#x27; once"),
        ({"brand": "Not A Slug!"}, "not a valid identifier"),
    ],
)
def test_bad_listing_parameters_give_a_400_page_saying_what_was_wrong(client, phone, params, message):
    response = client.get("/categories/phones/", params)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'href="/categories/phones/">Reset filters</a>' in html
    assert "<header" in html  # the shop's look


def test_a_very_long_search_is_refused_politely(client, phone):
    response = client.get("/search", {"q": "x" * 10_000})

    assert response.status_code == 400
    assert "Search for at most 200 characters" in response.content.decode()


def test_repeated_search_words_are_refused(client, phone):
    response = client.get("/search", {"q": ["a", "b"]})

    assert response.status_code == 400


def test_bad_parameters_in_an_htmx_request_give_a_panel_and_keep_the_url(client, phone):
    response = client.get("/search", {"q": "redmi", "price_min": "9", "price_max": "1"}, **HX)

    html = response.content.decode()
    assert response.status_code == 400
    assert html.startswith('<div id="results"')
    assert "must not be above" in html
    assert 'href="/search?q=redmi">Reset filters</a>' in html
    assert response["HX-Push-Url"] == "false"


def test_a_page_past_the_end_is_404(client, phone):
    response = client.get("/categories/phones/", {"page": "5"})

    assert response.status_code == 404
    assert "the last page is 1" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/products/no-such-product/",
        "/categories/no-such-category/",
        "/brands/no-such-brand/",
        "/products/" + "a" * 5000 + "/",
        "/categories/" + "a" * 5000 + "/",
        "/products/bad%20slug!/",
        "/categories/%3Cscript%3E/",
        "/no/such/page",
    ],
)
def test_unknown_pages_are_404_in_the_shops_look(client, db, url):
    response = client.get(url)

    assert response.status_code == 404
    html = response.content.decode()
    assert "We can’t find that page" in html
    assert "<header" in html
    assert 'role="search"' in html
    assert "<script>" not in html.split("</head>", 1)[1]


def test_inactive_products_are_404(client, phone):
    phone.is_active = False
    phone.save()

    assert client.get("/products/redmi-note-13-pro/").status_code == 404


@pytest.mark.parametrize("url", ["/", "/search?q=x", "/categories/phones/", "/brands/xiaomi/", "/products/redmi-note-13-pro/"])
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_pages_refuse_writing_methods(client, phone, url, method):
    response = getattr(client, method)(url)

    assert response.status_code == 405


def test_repeated_sku_is_refused_on_the_product_page(client, phone):
    response = client.get("/products/redmi-note-13-pro/", {"sku": ["A", "B"]})

    assert response.status_code == 400
    assert 'href="/products/redmi-note-13-pro/">Reset filters</a>' in response.content.decode()


def test_the_500_handler_renders_without_a_request_context_or_database(django_assert_num_queries):
    request = RequestFactory().get("/")

    with django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry — something went wrong on our side" in html
    assert '<html lang="en">' in html
