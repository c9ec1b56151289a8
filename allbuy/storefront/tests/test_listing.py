import re

import pytest

from allbuy.storefront.tests.conftest import HX

pytestmark = pytest.mark.django_db


def product_names(html: str) -> list[str]:
    return re.findall(r'class="card-link" href="[^"]+">([^<]+)</a>', html)


def test_brand_facets_show_counts_and_filter_in_the_url(client, make_products):
    make_products(6)

    html = client.get("/categories/phones/").content.decode()

    assert re.search(
        r'id="brand-xiaomi" name="brand" value="xiaomi">\s*<label for="brand-xiaomi">Xiaomi <span class="count">3</span>', html
    )
    assert re.search(r'<label for="brand-huawei">Huawei <span class="count">3</span>', html)

    filtered = client.get("/categories/phones/", {"brand": "huawei"}).content.decode()

    assert len(product_names(filtered)) == 3
    assert re.search(r'id="brand-huawei" name="brand" value="huawei" checked', filtered)
    assert 'class="chip chip-removable" href="/categories/phones/"' in filtered  # the chip removes the filter


def test_price_range_and_in_stock_filters(client, make_products):
    make_products(6)  # prices from 100 + i; stock i % 3 (+1 on the second variant)

    html = client.get("/categories/phones/", {"price_min": "102", "price_max": "104"}).content.decode()

    assert sorted(product_names(html)) == ["Gadget 0002", "Gadget 0003", "Gadget 0004"]
    assert 'id="price-min" name="price_min"' in html
    assert 'value="102"' in html
    assert "€102.00 – €104.00" in html  # the chip
    in_stock = client.get("/categories/phones/", {"in_stock": "1"}).content.decode()
    assert 'id="in-stock" name="in_stock" value="1" checked' in in_stock


def test_sort_select_and_sorted_results(client, make_products):
    make_products(4)

    html = client.get("/categories/phones/", {"sort": "price_desc"}).content.decode()

    assert product_names(html) == ["Gadget 0003", "Gadget 0002", "Gadget 0001", "Gadget 0000"]
    assert '<option value="price_desc" selected>' in html
    assert "Best match" not in html  # only when searching
    assert '<option value="">Featured</option>' in html  # the default leaves no sort= in the URL


def test_pagination_keeps_the_filters(client, make_products):
    make_products(30)

    html = client.get("/categories/phones/", {"per_page": "12", "sort": "name", "brand": ["xiaomi", "huawei"]}).content.decode()

    assert "Showing 1–12 of 30 products" in html
    assert 'rel="next" href="/categories/phones/?brand=xiaomi&amp;brand=huawei&amp;sort=name&amp;page=2&amp;per_page=12"' in html
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in html
    page3 = client.get("/categories/phones/", {"per_page": "12", "sort": "name", "page": "3"}).content.decode()
    assert "Showing 25–30 of 30 products" in page3
    assert product_names(page3)[0] == "Gadget 0024"
    assert 'rel="prev" href="/categories/phones/?sort=name&amp;page=2&amp;per_page=12"' in page3
    assert 'name="per_page" value="12"' in page3  # kept by the filter form


def test_filter_form_works_without_javascript_and_with_htmx(client, make_products):
    make_products(2)

    html = client.get("/categories/phones/").content.decode()

    assert '<form id="filters" class="listing-layout" method="get" action="/categories/phones/"' in html
    assert 'hx-get="/categories/phones/" hx-target="#results"' in html
    assert 'hx-push-url="true"' in html
    assert '<button type="submit" class="button button-primary">Apply filters</button>' in html
    assert '<details class="facets" data-open-wide>' in html


def test_htmx_request_gets_only_the_results_partial(client, make_products):
    make_products(4)

    response = client.get("/categories/phones/", {"brand": "xiaomi", "price_min": "", "sort": ""}, **HX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "<header" not in html
    assert 'id="filters"' not in html
    assert len(product_names(html)) == 2
    assert 'id="brand-options" class="facet-options" hx-swap-oob="true"' in html
    assert 'id="results-status"' in html
    assert "2 products" in html
    assert response["HX-Push-Url"] == "/categories/phones/?brand=xiaomi"  # normalised: no empty parameters
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client, make_products):
    make_products(1)

    html = client.get("/categories/phones/", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX).content.decode()

    assert "<html" in html


def test_search_partial_and_hidden_query(client, phone):
    response = client.get("/search", {"q": "redmi", "in_stock": "1"}, **HX)

    assert response["HX-Push-Url"] == "/search?q=redmi&in_stock=1"
    assert "Redmi Note 13 Pro" in response.content.decode()


def test_unknown_parameters_are_ignored_on_pages(client, make_products):
    make_products(2)

    response = client.get("/categories/phones/", {"utm_source": "newsletter", "fbclid": "x"})

    assert response.status_code == 200
    assert len(product_names(response.content.decode())) == 2


def test_category_in_the_path_wins_over_the_query_string(client, make_products):
    make_products(2)

    response = client.get("/categories/phones/", {"category": "other"})

    assert len(product_names(response.content.decode())) == 2


def test_empty_filter_result_offers_to_clear_filters(client, make_products):
    make_products(2)

    html = client.get("/categories/phones/", {"price_min": "5000"}).content.decode()

    assert "No products match these filters." in html
    assert 'href="/categories/phones/">Clear all filters</a>' in html
