"""The product page and its variant panel (price, stock, SKU, gallery, picker) that htmx swaps in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from allbuy.catalog.models import Product
from allbuy.catalog.selectors import product_detail, product_related_with_cards
from allbuy.deals.models import Deal
from allbuy.deals.selectors import deals_current_for_products
from allbuy.personalisation.models import SimilarityKind
from allbuy.personalisation.selectors import neighbours_for
from allbuy.storefront.deal_cards import cards_with_deals, variant_deals
from allbuy.storefront.rendering import RenderedPage
from allbuy.storefront.specs import spec_groups, spec_highlights
from allbuy.storefront.structured_data import product_json_ld
from allbuy.storefront.variants import VariantRequest, attribute_groups, gallery_images, variant_choose


def product_url(product: Product, sku: str = "") -> str:
    path = reverse("storefront:product", args=[product.slug])
    return f"{path}?{urlencode({'sku': sku})}" if sku else path


def _variant_context(product: Product, selection: VariantRequest, deals: list[Deal], now: datetime) -> dict[str, Any]:
    variants = list(product.variants.all())
    images = list(product.images.all())
    choice = variant_choose(variants, selection)
    variant = choice.variant
    by_variant = variant_deals((deal for deal in deals if deal.variant.product_id == product.pk), now)
    return {
        "product": product,
        "variant": variant,
        "deal": by_variant.get(variant.pk) if variant is not None else None,
        "notice": choice.notice,
        "groups": attribute_groups(variants, variant),
        "gallery": gallery_images(images, variant),
        "product_path": product_url(product),
        "variant_url": reverse("storefront:product_variant", args=[product.slug]),
        "url": product_url(product, variant.sku if variant and len(variants) > 1 else ""),
    }


def variant_panel_render(*, slug: str, selection: VariantRequest, now: datetime) -> RenderedPage:
    """Return the htmx partial for a variant choice, priced at `now`; its `url` is the shareable product URL (?sku=)."""
    product = product_detail(slug=slug)
    deals = deals_current_for_products(product_ids=[product.pk], now=now)
    context = _variant_context(product, selection, deals, now)
    return RenderedPage(title=product.name, body=render_to_string("storefront/_variant_panel.html", context), url=context["url"])


@dataclass(frozen=True)
class CardSection:
    slug: str  # its heading's id is "<slug>-title"
    title: str
    products: list[Product]


# What other shoppers did, in the order the page shows it.
NEIGHBOUR_SECTIONS = (
    (SimilarityKind.BOUGHT, "bought-together", "Bought together"),
    (SimilarityKind.VIEWED, "also-viewed", "Customers also viewed"),
)
NEIGHBOUR_CARDS = 8


def _product_cards(product: Product) -> tuple[list[Product], list[CardSection]]:
    """Return the related products and the sections of similar ones (empty sections left out).

    Three queries, however many there are: the similar products' ids, then every card of every list together.
    "You may also like" leaves out what the sections show, so no card appears twice.
    """
    neighbours = neighbours_for(product_id=product.pk, limit=NEIGHBOUR_CARDS)
    wanted = [pk for kind, _, _ in NEIGHBOUR_SECTIONS for pk in neighbours.get(kind, [])]
    related, cards = product_related_with_cards(product=product, ids=wanted)
    by_id = {card.pk: card for card in cards}
    sections = [
        CardSection(slug=slug, title=title, products=[by_id[pk] for pk in neighbours.get(kind, []) if pk in by_id])
        for kind, slug, title in NEIGHBOUR_SECTIONS
    ]
    return related, [section for section in sections if section.products]


def product_render(*, slug: str, selection: VariantRequest, origin: str, now: datetime) -> RenderedPage:
    """Return the whole product page priced at `now`; `origin` (scheme and host) makes the structured data's URLs absolute."""
    product = product_detail(slug=slug)
    related, recommendations = _product_cards(product)
    shown = [*related, *(card for section in recommendations for card in section.products)]
    # One query for the deals of this product and of every card.
    deals = deals_current_for_products(product_ids=[product.pk, *{p.pk for p in shown}], now=now)
    cards_with_deals(shown, now, deals)
    context = _variant_context(product, selection, deals, now)
    variant = context["variant"]
    deal = context["deal"] if context["deal"] is not None and context["deal"].live else None
    context["specs"] = spec_groups(product.specs)
    context["highlights"] = spec_highlights(context["specs"])
    context["related"] = related
    context["recommendations"] = recommendations
    json_ld = product_json_ld(
        product=product,
        variant=variant,
        url=origin + context["url"],
        image_urls=[
            origin + image.image.url if image.image.url.startswith("/") else image.image.url for image in context["gallery"]
        ],
        deal_price=deal.price if deal else None,
        deal_ends_at=deal.deal.ends_at if deal else None,
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
