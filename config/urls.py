from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve

from allbuy.api.api import api

# The shop's own error pages: 404 in the site's look, 500 self-contained (no request context, database or static files).
handler404 = "allbuy.storefront.errors.page_not_found"
handler500 = "allbuy.storefront.errors.server_error"

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # AllBuy's own account pages (profile, address book) first, then allauth's at their conventional URLs.
    path("accounts/", include("allbuy.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("allbuy.privacy.urls")),
    path("", include("allbuy.tracking.urls")),
    # The shopper's cart, checkout, orders and the payment webhook, before the storefront's catch-all pages.
    path("", include("allbuy.cart.urls")),
    path("", include("allbuy.orders.urls")),
    # The merchant portal: a merchant's staff fulfil their own shipments (its own URL space).
    path("merchant/", include("allbuy.fulfilment.portal_urls")),
    path("", include("allbuy.storefront.urls")),
]

if settings.ALLBUY_SERVE_MEDIA:
    # The embedded default serves uploaded and generated product images itself;
    # production serves MEDIA_ROOT from object storage or the front web server.
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))
