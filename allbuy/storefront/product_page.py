"""The product page and its variant panel (price, stock, SKU, gallery, picker) that htmx swaps in."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from allbuy.catalog.models import Product
from allbuy.catalog.selectors import product_detail, product_related
from allbuy.storefront.rendering import RenderedPage
from allbuy.storefront.specs import spec_groups, spec_highlights
from allbuy.storefront.structured_data import product_json_ld
from allbuy.storefront.variants import VariantRequest, attribute_groups, gallery_images, variant_choose


def product_url(product: Product, sku: str = "") -> str:
    path = reverse("storefront:product", args=[product.slug])
    return f"{path}?{urlencode({'sku': sku})}" if sku else path


def _variant_context(product: Product, selection: VariantRequest) -> dict[str, Any]:
    variants = list(product.variants.all())
    images = list(product.images.all())
    choice = variant_choose(variants, selection)
    variant = choice.variant
    return {
        "product": product,
        "variant": variant,
        "notice": choice.notice,
        "groups": attribute_groups(variants, variant),
        "gallery": gallery_images(images, variant),
        "product_path": product_url(product),
        "variant_url": reverse("storefront:product_variant", args=[product.slug]),
        "url": product_url(product, variant.sku if variant and len(variants) > 1 else ""),
    }


def variant_panel_render(*, slug: str, selection: VariantRequest) -> RenderedPage:
    """Return the htmx partial for a variant choice; its `url` is the shareable product URL (?sku=)."""
    product = product_detail(slug=slug)
    context = _variant_context(product, selection)
    return RenderedPage(title=product.name, body=render_to_string("storefront/_variant_panel.html", context), url=context["url"])


def product_render(*, slug: str, selection: VariantRequest, origin: str) -> RenderedPage:
    """Return the whole product page; `origin` (scheme and host) makes the structured data's URLs absolute."""
    product = product_detail(slug=slug)
    context = _variant_context(product, selection)
    variant = context["variant"]
    context["specs"] = spec_groups(product.specs)
    context["highlights"] = spec_highlights(context["specs"])
    context["related"] = product_related(product=product)
    json_ld = product_json_ld(
        product=product,
        variant=variant,
        url=origin + context["url"],
        image_urls=[
            origin + image.image.url if image.image.url.startswith("/") else image.image.url for image in context["gallery"]
        ],
    )
    head = render_to_string("storefront/_product_head.html", {"json_ld": json_ld})
    description = (product.description or f"{product.name} by {product.brand.name}").split("\n")[0][:160]
    return RenderedPage(
        title=f"{product.name} — {product.brand.name} — AllBuy",
        description=description,
        body=render_to_string("storefront/product.html", context),
        url=context["url"],
        head=head,
    )
