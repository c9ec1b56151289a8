import pytest
from django.urls import reverse

from allbuy.catalog.tests.factories import ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


def test_home_shows_featured_categories_brands_and_the_deals_placeholder(client, phone):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Redmi Note 13 Pro" in html  # featured
    assert 'href="/categories/phones/"' in html  # tile and header menu
    assert 'href="/brands/xiaomi/"' in html  # brand strip
    assert "Today’s deals" in html
    assert "New deals every day at midnight" in html
    assert 'href="/privacy"' in html


def test_every_page_has_landmarks_a_skip_link_and_the_vendored_htmx(client, phone):
    for url in ("/", "/categories/phones/", "/brands/xiaomi/", "/search?q=redmi", "/products/redmi-note-13-pro/", "/search"):
        html = client.get(url).content.decode()

        assert '<a class="skip-link" href="#main">' in html, url
        for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
            assert landmark in html, (url, landmark)
        assert 'src="/static/vendor/htmx.min.js" defer' in html, url
        assert html.count("<h1") == 1, url


def test_card_shows_brand_name_price_compare_at_and_stock(client, phone):
    html = client.get("/categories/xiaomi-phones/").content.decode()

    assert "Xiaomi" in html
    assert 'From</span> <span class="price">€299.00' in html
    assert 'alt="Redmi Note 13 Pro in black, front"' in html
    assert "In stock" in html


def test_single_price_card_shows_compare_at_and_saving(client, phones, xiaomi):
    product = ProductFactory(name="Smart Band 9", brand=xiaomi, category=phones)
    VariantFactory(product=product, price="39.99", compare_at_price="49.99", stock_quantity=2)

    html = client.get("/categories/phones/").content.decode()

    assert "€39.99" in html
    assert "€49.99</s>" in html
    assert "−20%" in html
    assert "Only 2 left" in html


def test_category_page_lists_products_of_the_category_and_its_children(client, phone):
    response = client.get(reverse("storefront:category", args=["phones"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Phones</h1>" in html
    assert "Redmi Note 13 Pro" in html
    assert "Xiaomi phones" in html  # subcategory chip


def test_subcategory_page_has_a_breadcrumb_to_its_parent(client, phone):
    html = client.get("/categories/xiaomi-phones/").content.decode()

    assert 'aria-label="Breadcrumb"' in html
    assert 'href="/categories/phones/">Phones</a>' in html


def test_brand_page_lists_the_brand_without_a_brand_facet(client, phone, huawei):
    ProductFactory(name="Huawei Watch GT", brand=huawei, category=phone.category)

    html = client.get("/brands/xiaomi/").content.decode()

    assert "<h1>Xiaomi</h1>" in html
    assert "Redmi Note 13 Pro" in html
    assert "Huawei Watch GT" not in html
    assert 'name="brand"' not in html


def test_search_finds_products(client, phone):
    response = client.get("/search", {"q": "redmi"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Results for “redmi”" in html
    assert "Redmi Note 13 Pro" in html
    assert '<input type="hidden" name="q" value="redmi">' in html
    assert 'value="redmi"' in html  # kept in the header's search box


def test_empty_search_shows_a_helpful_page(client, phone):
    html = client.get("/search").content.decode()

    assert "Search AllBuy" in html
    assert "Popular categories" in html
    assert 'href="/categories/xiaomi-phones/"' in html


def test_search_without_results_offers_suggestions_and_popular_categories(client, phone):
    html = client.get("/search", {"q": "redmi zzqqxx"}).content.decode()

    assert "Nothing found for “redmi zzqqxx”" in html
    assert "Did you mean" in html
    assert 'href="/search?q=redmi"' in html
    assert "Popular categories" in html


def test_product_page_shows_everything_a_shopper_needs(client, phone):
    response = client.get("/products/redmi-note-13-pro/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="product-title">Redmi Note 13 Pro</h1>' in html
    assert 'href="/brands/xiaomi/">Xiaomi</a>' in html
    assert 'href="/categories/phones/">Phones</a>' in html
    assert 'href="/categories/xiaomi-phones/">Xiaomi phones</a>' in html
    assert "€299.00" in html
    assert "€349.00</s>" in html
    assert "Save 14%" in html
    assert "In stock" in html
    assert "RN13P-BLK-256" in html
    assert 'type="radio"' in html
    assert 'name="colour"' in html
    assert 'name="storage"' in html
    assert 'aria-live="polite"' in html
    assert "<caption>Display</caption>" in html
    assert "<caption>Battery</caption>" in html
    assert '<th scope="row">Capacity</th><td>5100 mAh</td>' in html
    assert '<form id="add-to-cart" class="add-to-cart" method="post" action="/cart/add/"' in html
    assert "cart coming soon" not in html.lower()


def test_product_gallery_follows_the_colour(client, phone):
    html = client.get("/products/redmi-note-13-pro/").content.decode()

    assert 'alt="Redmi Note 13 Pro in black, front"' in html
    assert 'alt="Redmi Note 13 Pro box contents"' in html
    assert "in blue, front" not in html


def test_product_page_has_json_ld(client, phone):
    html = client.get("/products/redmi-note-13-pro/").content.decode()

    assert '<script type="application/ld+json">' in html
    assert '"@type":"Product"' in html
    assert '"sku":"RN13P-BLK-256"' in html
    assert '"price":"299.00"' in html
    assert '"url":"http://testserver/products/redmi-note-13-pro/?sku=RN13P-BLK-256"' in html


def test_related_products(client, phone, phones, xiaomi):
    ProductFactory(name="POCO X6", brand=xiaomi, category=phones)

    html = client.get("/products/redmi-note-13-pro/").content.decode()

    assert "You may also like" in html
    assert "POCO X6" in html


def test_html_in_names_is_escaped(client, phones, xiaomi):
    product = ProductFactory(
        name='<script>alert("x")</script> Phone', slug="evil-phone", brand=xiaomi, category=phones, is_featured=True
    )
    VariantFactory(product=product)

    for url in ("/", "/categories/phones/", "/products/evil-phone/", "/search?q=phone"):
        html = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in html, url
        assert "&lt;script&gt;" in html or "\\u003Cscript\\u003E" in html, url


def test_json_ld_cannot_close_its_script_element(client, phones, xiaomi):
    product = ProductFactory(name="Phone </script><b>x", slug="phone-x", brand=xiaomi, category=phones)
    VariantFactory(product=product)

    html = client.get("/products/phone-x/").content.decode()

    assert "</script><b>" not in html
    assert "\\u003C/script\\u003E\\u003Cb\\u003Ex" in html


def test_product_without_variants_or_images_still_renders(client, phones, xiaomi):
    ProductFactory(name="Bare Gadget", slug="bare-gadget", brand=xiaomi, category=phones)

    response = client.get("/products/bare-gadget/")

    assert response.status_code == 200
    assert "Not available" in response.content.decode()


def test_pages_accept_head_requests(client, phone):
    assert client.head("/products/redmi-note-13-pro/").status_code == 200
