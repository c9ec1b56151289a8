from allbuy.core.errors import InvalidInput, NotFound


class InvalidCatalogQuery(InvalidInput):
    code = "invalid_query"


class PageOutOfRange(NotFound):
    code = "page_out_of_range"


class ProductNotFound(NotFound):
    code = "product_not_found"
