"""The JSON API, mounted at /api/: read-only catalog endpoints, with the OpenAPI schema at /api/openapi.json."""

from ninja import NinjaAPI

from allbuy.api.catalog import router as catalog_router
from allbuy.api.errors import error_handlers_install
from allbuy.api.routing import fallback_router, methods_refuse_others

DESCRIPTION = """Read-only access to the AllBuy catalog.

Amounts of money are decimal strings with two places ("299.00"), never JSON numbers.
Every error is JSON with a readable `message` and a stable `code` (e.g. `invalid_sort`, `product_not_found`)."""

api = NinjaAPI(
    title="AllBuy API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
error_handlers_install(api)

methods_refuse_others(catalog_router)
api.add_router("", catalog_router)
api.add_router("", fallback_router)  # last: it answers every path the routers above do not
