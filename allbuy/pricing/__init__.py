"""Pricing: one pure function, `quote_build`, from a cart's lines to a quote. No models, no database, no clock.

Inputs are frozen dataclasses (`allbuy.pricing.types`); the caller passes `now` (timezone-aware) and the
already-accepted coupon. The same inputs always give the same quote, whatever order the lines come in:
lines are processed sorted by `line_id` and returned in the caller's order.

Order of application
    base → deal → promotion → coupon → shipping → tax. Each step works on the line amounts the previous
    step left, so a 10 % promotion after a deal is 10 % of the deal price.

Prices include VAT (EU style)
    Unit prices, deal prices, fixed discounts, thresholds and shipping prices are all gross (VAT included),
    as shown to the shopper. Tax is the VAT *contained* in each amount at the destination country's standard
    rate: `tax = amount × rate / (1 + rate)`. The shopper pays the same gross total whichever country; only
    the VAT share differs. US has rate 0: sales tax is out of scope, US quotes carry no tax.

Rounding
    Half-up to the cent (`Money.quantize`), at these points only: a line's base (`unit_price × quantity`,
    rounded once, so 3 × €0.335 = €1.005 → €1.01), a line's amount after its deal, each promotion's and the
    coupon's total discount (percent of the eligible amount, rounded once), each buy-X-get-Y line discount,
    and each line's and the shipping's VAT. `tax` is the sum of the rounded line and shipping VAT.

Allocation
    A promotion or coupon discount computed on several lines is split over them in proportion to their
    current amounts with the largest-remainder method in whole cents (ties go to the lower `line_id`), so line
    amounts always sum exactly to `subtotal` and no line is discounted below zero.

Deals
    Active when `starts_at <= now < ends_at`. The lowest active deal price of a variant applies to at most
    `remaining_units` units (None = uncapped), shared by lines of that variant in `line_id` order; the other
    units stay at the regular price. A deal price at or above the line's unit price is ignored.

Promotions
    Active on the same half-open window, and only when the subtotal after deals reaches `min_subtotal`.
    A line is eligible when the promotion's scope matches it (an exclude match always wins; empty includes
    mean everything) and, if the line got a deal, only when the promotion `applies_to_deals`.
    - Exclusive: if any active exclusive promotion has an eligible line (for free-shipping-over: its
      threshold is met), the one with the highest priority (then lowest id) is the *only* promotion applied
      to the whole cart. Exclusive promotions that do not qualify are ignored.
    - Per line, the highest-priority eligible promotion wins (ties: lowest id). Others also apply only when
      the winner and they are `stackable`; stacked promotions apply in priority order, each on what is left.
    - percent: `value` % of the lines' amount; fixed: `value` off the lines' amount (capped at it).
    - buy-X-get-Y: over all of the promotion's lines, for every X+Y units the cheapest Y units are free
      (cheapest overall, ties by `line_id`); a unit is valued at its line's average unit amount.
    - free_shipping_over: shipping is free when the promotion's eligible lines, after promotions, reach `value`.

Coupons
    Validity (window, caps, per-customer use) is the coupons app's job. Here: if the subtotal after promotions
    is below `min_subtotal` → `minimum_not_met`; if no line is in scope → `no_eligible_items`; lines already
    discounted by a deal (unless `stacks_with_deals`) or a promotion (unless `stacks_with_promotions`) are
    ignored, and if none remain → `cannot_combine`. Otherwise percent/fixed apply to the remaining lines like
    a promotion; free_shipping makes shipping free.

Shipping
    The method's price, or zero if a free-shipping promotion or coupon applies, or the subtotal after all
    discounts reaches the method's `free_over`. No method → zero.

Limits
    1 to 200 lines with unique ids, quantity 1..99, non-negative prices, one currency throughout
    (`CurrencyMismatch`, code "currency_mismatch"); other violations raise `InvalidPricingInput` with a code.
"""

from allbuy.pricing.quote import quote_build

__all__ = ["quote_build"]
