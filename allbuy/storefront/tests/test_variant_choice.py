"""The variant picker's pure logic, over unsaved model instances (no database)."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from allbuy.catalog.models import ProductImage, Variant
from allbuy.core.errors import InvalidInput
from allbuy.storefront.variants import (
    VariantRequest,
    attribute_groups,
    gallery_images,
    variant_choose,
    variant_request_parse,
)


def variant(sku: str, stock: int = 5, **attributes: str) -> Variant:
    return Variant(sku=sku, attributes=attributes, price=Decimal("10.00"), stock_quantity=stock)


VARIANTS = [
    variant("BLK-128", colour="Black", storage="128 GB"),
    variant("BLK-256", colour="Black", storage="256 GB"),
    variant("BLU-128", stock=0, colour="Blue", storage="128 GB"),
]


def request(params: str, changed: str = "") -> VariantRequest:
    return variant_request_parse(dict(QueryDict(params).lists()), changed=changed)


def chosen_sku(variants: list[Variant], parsed: VariantRequest) -> str:
    choice = variant_choose(variants, parsed).variant
    assert choice is not None
    return choice.sku


def test_no_choice_gives_the_first_variant_in_stock():
    out_first = [variant("A", stock=0, colour="Red"), variant("B", colour="Green")]

    assert chosen_sku(out_first, request("")) == "B"
    assert chosen_sku([variant("A", stock=0)], request("")) == "A"
    assert variant_choose([], request("")).variant is None


def test_exact_attributes_and_sku_select_without_a_notice():
    assert chosen_sku(VARIANTS, request("colour=Black&storage=256+GB")) == "BLK-256"
    assert chosen_sku(VARIANTS, request("sku=BLU-128")) == "BLU-128"
    assert variant_choose(VARIANTS, request("colour=Black&storage=256+GB")).notice == ""
    assert variant_choose(VARIANTS, request("sku=BLU-128")).notice == ""


def test_the_attribute_just_changed_is_kept():
    keep_colour = request("colour=Blue&storage=256+GB", changed="colour")
    keep_storage = request("colour=Blue&storage=256+GB", changed="storage")

    assert chosen_sku(VARIANTS, keep_colour) == "BLU-128"
    assert variant_choose(VARIANTS, keep_colour).notice == "Blue / 256 GB is not available. Showing Blue / 128 GB instead."
    assert chosen_sku(VARIANTS, keep_storage) == "BLK-256"


def test_without_a_changed_attribute_the_first_attribute_weighs_most():
    assert chosen_sku(VARIANTS, request("colour=Blue&storage=256+GB")) == "BLU-128"


def test_unknown_attributes_and_values_never_fail():
    assert chosen_sku(VARIANTS, request("size=XL&utm_source=x")) == "BLK-128"
    assert variant_choose(VARIANTS, request("colour=Gold")).notice


def test_repeated_values_are_refused():
    with pytest.raises(InvalidInput):
        variant_choose(VARIANTS, request("colour=Black&colour=Blue"))
    with pytest.raises(InvalidInput):
        request("sku=A&sku=B")


def test_parse_ignores_what_cannot_be_an_attribute():
    parsed = request("sku=X&colour=Black&" + "a" * 50 + "=1&bad-name=1&storage=" + "9" * 500, changed="colour")

    assert parsed.sku == "X"
    assert parsed.attributes == (("colour", ("Black",)),)
    assert parsed.changed == "colour"
    assert request("colour=Black", changed="nope").changed == ""


def test_groups_mark_checked_and_unavailable_options():
    groups = attribute_groups(VARIANTS, VARIANTS[1])  # Black 256 GB

    colour, storage = groups
    assert [(o.value, o.checked, o.available) for o in colour.options] == [("Black", True, True), ("Blue", False, False)]
    assert [(o.value, o.checked, o.available) for o in storage.options] == [("128 GB", False, True), ("256 GB", True, True)]
    assert colour.label == "Colour"


def test_sold_out_combinations_are_marked():
    groups = attribute_groups(VARIANTS, VARIANTS[0])  # Black 128 GB: Blue 128 GB exists but is sold out

    blue = groups[0].options[1]
    assert blue.available
    assert blue.sold_out


def image(colour: str, alt: str) -> ProductImage:
    return ProductImage(colour=colour, alt_text=alt)


def test_gallery_shows_the_colour_then_neutral_images():
    images = [image("Black", "black"), image("Blue", "blue"), image("", "box")]

    assert [i.alt_text for i in gallery_images(images, VARIANTS[2])] == ["blue", "box"]
    assert [i.alt_text for i in gallery_images(images, variant("G", colour="Green"))] == ["box"]
    assert [i.alt_text for i in gallery_images(images[:2], variant("G", colour="Green"))] == ["black", "blue"]
    assert [i.alt_text for i in gallery_images(images, None)] == ["box"]
