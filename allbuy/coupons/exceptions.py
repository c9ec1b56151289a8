"""Coupon refusals: each carries the stable reason code the shopper's message is chosen by."""

from allbuy.core.errors import ApplicationError, NotFound


class CouponError(ApplicationError):
    """A coupon cannot be used now; `code` names the reason (see `eligibility.Reason`)."""

    code = "coupon_refused"
    status = 409


class CouponCapReached(CouponError):
    code = "cap_reached"


class CouponAlreadyUsed(CouponError):
    code = "already_used_by_you"


class CouponNotFound(NotFound):
    code = "unknown"


class CouponRedemptionNotFound(NotFound):
    code = "redemption_not_found"


class CouponRateLimited(ApplicationError):
    """Too many codes that did not work from this account or address; `extra["retry_after"]` is in seconds."""

    code = "coupon_rate_limited"
    status = 429
