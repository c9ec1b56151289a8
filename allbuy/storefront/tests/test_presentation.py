"""Pure helpers: pagination, sort options, stock labels, savings, spec groups, JSON-LD escaping."""

from decimal import Decimal

from allbuy.catalog.query import ProductQuery
from allbuy.catalog.selectors import ProductPage
from allbuy.storefront.listing import ListingUrls, filter_chips, page_numbers, sort_options
from allbuy.storefront.specs import spec_groups, spec_highlights
from allbuy.storefront.stock import saving_percent, stock_state


def test_page_numbers_show_ends_and_neighbours():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 5) == [1, 2, None, 5]
    assert page_numbers(3, 5) == [1, 2, 3, 4, 5]  # a gap of one page shows that page
    assert page_numbers(10, 20) == [1, None, 9, 10, 11, None, 20]
    assert page_numbers(3, 20) == [1, 2, 3, 4, None, 20]
    assert page_numbers(20, 20) == [1, None, 19, 20]


def test_sort_options_hide_best_match_outside_search_and_blank_the_default():
    browse = sort_options(ProductQuery())
    search = sort_options(ProductQuery(q="redmi", sort="price_asc"))

    assert "relevance" not in [o.value for o in browse]
    assert browse[0].value == ""
    assert browse[0].selected
    assert search[0].value == ""  # relevance is the search default
    assert [o.value for o in search if o.selected] == ["price_asc"]


def test_urls_drop_what_the_path_fixes():
    urls = ListingUrls(path="/brands/xiaomi/", fixed={"brand": []})
    query = ProductQuery(brands=("xiaomi",), in_stock=True)

    assert urls.url(query, page=2) == "/brands/xiaomi/?in_stock=1&page=2"
    assert urls.url(ProductQuery(brands=("xiaomi",))) == "/brands/xiaomi/"


def test_chips_remove_one_filter_each():
    page = ProductPage(
        products=[], total=0, page=1, num_pages=1, per_page=24, brand_facets=[], price_low=None, price_high=None, in_stock_count=0
    )
    query = ProductQuery(brands=("a", "b"), price_min=Decimal("10"), in_stock=True)

    chips = filter_chips(query, page, ListingUrls(path="/search"), currency="EUR")

    assert [(c.label, c.remove_url) for c in chips] == [
        ("a", "/search?brand=b&price_min=10&in_stock=1"),
        ("b", "/search?brand=a&price_min=10&in_stock=1"),
        ("From €10.00", "/search?brand=a&brand=b&in_stock=1"),
        ("In stock", "/search?brand=a&brand=b&price_min=10"),
    ]


def test_stock_state_labels():
    assert stock_state(0).label == "Out of stock"
    assert stock_state(None).tone == "out"
    assert stock_state(3).label == "Only 3 left"
    assert stock_state(5).tone == "low"
    assert stock_state(6).label == "In stock"


def test_saving_percent_never_overstates():
    assert saving_percent(Decimal("299"), Decimal("349")) == 14  # 14.33
    assert saving_percent(Decimal("66.67"), Decimal("100")) == 33  # 33.33
    assert saving_percent(Decimal("10"), None) == 0
    assert saving_percent(Decimal("10"), Decimal("10")) == 0


def test_spec_groups_keep_order_and_skip_bad_rows():
    specs = [
        {"group": "Display", "name": "Size", "value": "6.7 in"},
        {"name": "Weight", "value": "180 g"},
        "garbage",
        {"group": "Display", "name": "Type", "value": "OLED"},
        {"group": "Battery", "value": "no name"},
    ]

    groups = spec_groups(specs)

    assert [(g.name, g.rows) for g in groups] == [
        ("Display", [("Size", "6.7 in"), ("Type", "OLED")]),
        ("General", [("Weight", "180 g")]),
    ]
    assert spec_highlights(groups) == [("Display", "6.7 in"), ("General", "180 g")]
    assert spec_groups({"not": "a list"}) == []
