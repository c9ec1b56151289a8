"""Forms of the merchant portal: the shipment filter and a product's active flag and stock per variant."""

from __future__ import annotations

from typing import Any

from django import forms

from allbuy.catalog.models import Product, Variant
from allbuy.fulfilment.models import ShipmentStatus

MAX_STOCK = 100_000


class ShipmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *ShipmentStatus.choices], widget=forms.Select()
    )


def stock_field_name(variant: Variant) -> str:
    return f"stock_{variant.pk}"


def variant_label(variant: Variant) -> str:
    options = " / ".join(str(value) for value in (variant.attributes or {}).values())
    return f"Stock of {variant.sku}{f' ({options})' if options else ''}"


class ProductStockForm(forms.Form):
    """The product's active flag and one stock field per variant (0 to 100 000 units)."""

    is_active = forms.BooleanField(label="On sale (shown in the shop)", required=False)

    def __init__(self, *args: Any, product: Product, **kwargs: Any) -> None:
        self.product = product
        self.variants: list[Variant] = list(product.variants.all())
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("is_active", product.is_active)
        for variant in self.variants:
            kwargs["initial"].setdefault(stock_field_name(variant), variant.stock_quantity)
        super().__init__(*args, **kwargs)
        for variant in self.variants:
            self.fields[stock_field_name(variant)] = forms.IntegerField(
                label=variant_label(variant),
                min_value=0,
                max_value=MAX_STOCK,
                error_messages={
                    "required": "Enter the number of units in stock (0 or more).",
                    "invalid": "Enter a whole number of units, such as 12.",
                    "min_value": "Stock cannot be negative.",
                    "max_value": f"Stock can be at most {MAX_STOCK:,} units.".replace(",", " "),
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_STOCK, "step": 1}),
            )

    def stock(self) -> dict[int, int]:
        """The cleaned stock per variant id (call after `is_valid()`)."""
        return {variant.pk: int(self.cleaned_data[stock_field_name(variant)]) for variant in self.variants}

    def rows(self) -> list[tuple[Variant, forms.BoundField]]:
        return [(variant, self[stock_field_name(variant)]) for variant in self.variants]
