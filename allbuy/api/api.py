"""The JSON API, mounted at /api/: the catalog, carts, checkout and orders, with the OpenAPI schema at /api/openapi.json."""

from ninja import NinjaAPI

from allbuy.api.carrier import router as carrier_router
from allbuy.api.cart import router as cart_router
from allbuy.api.catalog import router as catalog_router
from allbuy.api.checkout import router as checkout_router
from allbuy.api.errors import error_handlers_install
from allbuy.api.orders import router as orders_router
from allbuy.api.routing import fallback_router, methods_refuse_others, session_router

DESCRIPTION = """The AllBuy catalog (read-only), carts, checkout and your orders.

Amounts of money are decimal strings with two places ("299.00"), never JSON numbers.
Every error is JSON with a readable `message` and a stable `code` (e.g. `invalid_sort`, `product_not_found`).

**Signing in.** Endpoints about your account (checkout, orders) use the session cookie AllBuy sets at sign-in.
Every POST, PUT, PATCH or DELETE sent with that cookie must also carry the CSRF token: get it from
`GET /api/csrf` (which sets the `csrftoken` cookie too) and send it in the `X-CSRFToken` header.

**Anonymous carts.** `POST /api/carts` without a session makes a cart whose `id` is its secret: whoever holds
the id can use the cart, so keep it like a token. A signed-in account's cart is reachable only by its owner.

**Carriers.** The `carrier` endpoints take a carrier API token (`Authorization: Bearer abct_…`) instead of a
session, or, for `POST /api/carrier/webhooks`, an HMAC signature made with the carrier's webhook secret."""

api = NinjaAPI(
    title="AllBuy API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
error_handlers_install(api)

for router in (catalog_router, cart_router, checkout_router, orders_router, carrier_router, session_router):
    methods_refuse_others(router)
    api.add_router("", router)
api.add_router("", fallback_router)  # last: it answers every path the routers above do not
