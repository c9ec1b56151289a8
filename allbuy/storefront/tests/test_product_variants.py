import pytest

from allbuy.storefront.tests.conftest import HX

pytestmark = pytest.mark.django_db

VARIANT_URL = "/products/redmi-note-13-pro/variant"


def test_sku_in_the_url_selects_that_variant_on_a_full_page_load(client, phone):
    html = client.get("/products/redmi-note-13-pro/", {"sku": "RN13P-BLK-512"}).content.decode()

    assert "€349.00" in html
    assert "Only 3 left" in html
    assert 'value="512 GB" checked' in html
    assert "Save" not in html


def test_attributes_in_the_url_select_a_variant_without_javascript(client, phone):
    html = client.get("/products/redmi-note-13-pro/", {"colour": "Blue", "storage": "256 GB"}).content.decode()

    assert "€309.00" in html
    assert "Out of stock" in html
    assert 'alt="Redmi Note 13 Pro in blue, front"' in html
    assert "in black, front" not in html
    assert '<form id="variant-picker" class="variant-picker" method="get" action="/products/redmi-note-13-pro/"' in html
    assert "<noscript>" in html


def test_variant_endpoint_returns_the_chosen_variants_price_stock_and_gallery(client, phone):
    response = client.get(VARIANT_URL, {"colour": "Black", "storage": "512 GB"}, HTTP_HX_TRIGGER_NAME="storage", **HX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "€349.00" in html
    assert "Only 3 left" in html
    assert "RN13P-BLK-512" in html
    assert 'id="variant-picker"' in html
    assert 'hx-swap-oob="true"' in html
    assert 'id="gallery" class="gallery" hx-swap-oob="true"' in html
    assert response["HX-Replace-Url"] == "/products/redmi-note-13-pro/?sku=RN13P-BLK-512"


def test_a_missing_combination_gives_the_closest_variant_keeping_what_was_just_changed(client, phone):
    # Blue exists only with 256 GB: choosing Blue while 512 GB is selected keeps Blue.
    html = client.get(VARIANT_URL, {"colour": "Blue", "storage": "512 GB"}, HTTP_HX_TRIGGER_NAME="colour", **HX).content.decode()

    assert "RN13P-BLU-256" in html
    assert "Blue / 512 GB is not available. Showing Blue / 256 GB instead." in html


def test_a_missing_combination_changing_the_other_attribute_keeps_that_one(client, phone):
    html = client.get(VARIANT_URL, {"colour": "Blue", "storage": "512 GB"}, HTTP_HX_TRIGGER_NAME="storage", **HX).content.decode()

    assert "RN13P-BLK-512" in html
    assert "Showing Black / 512 GB instead." in html


def test_unknown_values_and_skus_fall_back_without_an_error(client, phone):
    unknown_value = client.get("/products/redmi-note-13-pro/", {"colour": "Gold"})
    unknown_sku = client.get("/products/redmi-note-13-pro/", {"sku": "NOPE"})

    assert unknown_value.status_code == 200
    assert "is not available" in unknown_value.content.decode()
    assert unknown_sku.status_code == 200
    assert "no longer available" in unknown_sku.content.decode()


def test_options_that_do_not_combine_are_marked(client, phone):
    html = client.get("/products/redmi-note-13-pro/", {"sku": "RN13P-BLK-512"}).content.decode()

    # Blue does not come with 512 GB
    assert 'class="option is-unavailable" for="option-0-1">Blue' in html


def test_variant_endpoint_without_htmx_redirects_to_the_product_page(client, phone):
    response = client.get(VARIANT_URL, {"colour": "Blue"})

    assert response.status_code == 302
    assert response["Location"] == "/products/redmi-note-13-pro/?colour=Blue"


def test_variant_endpoint_for_an_unknown_product_is_404(client, db):
    response = client.get("/products/nothing-here/variant", {"colour": "Blue"}, **HX)

    assert response.status_code == 404
