"""Errors of the deals domain, each with a stable code the storefront and API can show."""

from allbuy.core.errors import ApplicationError, NotFound


class DealNotFound(NotFound):
    code = "deal_not_found"


class DealOverlaps(ApplicationError):
    """Another deal on the same variant already covers part of this window."""

    code = "deal_overlaps"
    status = 409


class DealInvalid(ApplicationError):
    """A deal or promotion that its validation refuses; `extra["errors"]` maps fields to messages."""

    code = "deal_invalid"
    status = 400
