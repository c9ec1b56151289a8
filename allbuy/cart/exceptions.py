"""Cart errors: each has a stable code the pages and the API show alike."""

from allbuy.core.errors import ApplicationError, InvalidInput, NotFound


class CartLineNotFound(NotFound):
    code = "cart_line_not_found"


class CartNotFound(NotFound):
    code = "cart_not_found"


class QuantityInvalid(InvalidInput):
    code = "quantity_invalid"


class QuantityLimit(InvalidInput):
    code = "quantity_limit"


class CartFull(InvalidInput):
    code = "cart_full"


class OutOfStock(ApplicationError):
    code = "out_of_stock"
    status = 409


class ProductUnavailable(ApplicationError):
    code = "product_unavailable"
    status = 404


class CurrencyMismatch(ApplicationError):
    code = "currency_mismatch"
    status = 400


class CartEmpty(ApplicationError):
    code = "cart_empty"
    status = 400
