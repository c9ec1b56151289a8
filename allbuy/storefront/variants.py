"""The variant picker: which variant a request asks for, the closest one that exists, and its gallery.

Pure functions over a product's variants and images (already loaded by `product_detail`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from allbuy.catalog.models import ProductImage, Variant
from allbuy.core.errors import InvalidInput

MAX_SKU_LENGTH = 64
MAX_NAME_LENGTH = 40
MAX_VALUE_LENGTH = 100
MAX_PARAMS = 12
COLOUR_KEYS = ("colour", "color")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class VariantRequest:
    """What the URL asks for: a SKU, or attribute values (`?colour=Blue&storage=256 GB`), normalised."""

    sku: str = ""
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    changed: str = ""  # the attribute the shopper just changed, which the closest match must keep

    def cache_parts(self) -> tuple[object, ...]:
        return (self.sku, self.attributes, self.changed)


@dataclass(frozen=True)
class VariantChoice:
    variant: Variant | None  # None only for a product without variants
    notice: str = ""  # set when the requested variant does not exist and a closest one is shown instead


@dataclass(frozen=True)
class AttributeOption:
    value: str
    input_id: str
    checked: bool
    available: bool  # some variant has this value together with the other current choices
    sold_out: bool  # ... and that variant is out of stock


@dataclass(frozen=True)
class AttributeGroup:
    name: str
    label: str
    options: list[AttributeOption]


def variant_request_parse(params: Mapping[str, list[str]], *, changed: str = "") -> VariantRequest:
    """Return the normalised request; parameters that cannot be attributes are ignored, not refused.

    `params` maps each name to all its values (a QueryDict's `lists()`).
    """
    sku_values = params.get("sku", [])
    if len(sku_values) > 1:
        raise InvalidInput("Give 'sku' once.", code="repeated_parameter", extra={"parameter": "sku"})
    sku = sku_values[0].strip() if sku_values else ""
    if len(sku) > MAX_SKU_LENGTH:
        raise InvalidInput("That SKU is too long to exist.", code="invalid_sku")
    attributes = sorted(
        (name, tuple(value.strip() for value in values))
        for name, values in params.items()
        if name != "sku"
        and len(name) <= MAX_NAME_LENGTH
        and _NAME.match(name)
        and all(len(v) <= MAX_VALUE_LENGTH for v in values)
    )[:MAX_PARAMS]
    changed = changed if any(name == changed for name, _ in attributes) else ""
    return VariantRequest(sku=sku, attributes=tuple(attributes), changed=changed)


def attribute_names(variants: Sequence[Variant]) -> list[str]:
    """Return the attribute names of the product's variants, in the order they first appear."""
    return list(dict.fromkeys(name for variant in variants for name in variant.attributes))


def attribute_label(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def _value(variant: Variant, name: str) -> str:
    value = variant.attributes.get(name)
    return "" if value is None else str(value)


def variant_describe(values: Mapping[str, str], names: Sequence[str]) -> str:
    return " / ".join(values[name] for name in names if values.get(name))


def _default(variants: Sequence[Variant]) -> Variant:
    return next((v for v in variants if v.stock_quantity > 0), variants[0])


def variant_choose(variants: Sequence[Variant], request: VariantRequest) -> VariantChoice:
    """Return the variant `request` asks for, or the closest existing one with a notice saying so."""
    if not variants:
        return VariantChoice(variant=None)
    if request.sku:
        by_sku = next((v for v in variants if v.sku == request.sku), None)
        if by_sku is not None:
            return VariantChoice(variant=by_sku)
        return VariantChoice(variant=_default(variants), notice="The option you asked for is no longer available.")
    names = attribute_names(variants)
    wanted: dict[str, str] = {}
    for name, values in request.attributes:
        if name in names:
            if len(values) > 1:
                raise InvalidInput(f"Choose one {attribute_label(name).lower()}.", code="repeated_parameter")
            wanted[name] = values[0]
    if not wanted:
        return VariantChoice(variant=_default(variants))
    # Earlier attributes (colour before storage) weigh more; the one just changed outweighs all others.
    weights = {name: 2 ** (len(names) - index) for index, name in enumerate(names)}
    if request.changed in wanted:
        weights[request.changed] = 2 ** (len(names) + 1)

    def score(item: tuple[int, Variant]) -> tuple[int, bool, int]:
        index, variant = item
        matched = sum(weights[name] for name, value in wanted.items() if _value(variant, name) == value)
        return matched, variant.stock_quantity > 0, -index

    best = max(enumerate(variants), key=score)[1]
    if all(_value(best, name) == value for name, value in wanted.items()):
        return VariantChoice(variant=best)
    chosen = {name: _value(best, name) for name in names}
    asked = variant_describe({**chosen, **wanted}, names)
    return VariantChoice(variant=best, notice=f"{asked} is not available. Showing {variant_describe(chosen, names)} instead.")


def attribute_groups(variants: Sequence[Variant], chosen: Variant | None) -> list[AttributeGroup]:
    """Return one group per attribute (radio inputs when it has several values), marking what the choice allows."""
    if chosen is None:
        return []
    names = attribute_names(variants)
    current = {name: _value(chosen, name) for name in names}
    groups = []
    for group_index, name in enumerate(names):
        values = list(dict.fromkeys(_value(v, name) for v in variants if _value(v, name)))
        options = []
        for value_index, value in enumerate(values):
            wanted = {**current, name: value}
            match = next((v for v in variants if all(_value(v, n) == wanted[n] for n in names)), None)
            options.append(
                AttributeOption(
                    value=value,
                    input_id=f"option-{group_index}-{value_index}",
                    checked=value == current[name],
                    available=match is not None,
                    sold_out=match is not None and match.stock_quantity == 0,
                )
            )
        groups.append(AttributeGroup(name=name, label=attribute_label(name), options=options))
    return groups


def variant_colour(variant: Variant | None) -> str:
    if variant is None:
        return ""
    return next((_value(variant, key) for key in COLOUR_KEYS if _value(variant, key)), "")


def gallery_images(images: Sequence[ProductImage], variant: Variant | None) -> list[ProductImage]:
    """Return the images of the variant's colour followed by colour-neutral ones; all images if none fit."""
    colour = variant_colour(variant).casefold()
    matching = [image for image in images if colour and image.colour.casefold() == colour]
    neutral = [image for image in images if not image.colour]
    return matching + neutral if matching or neutral else list(images)
