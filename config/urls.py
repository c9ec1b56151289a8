from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve

from allbuy.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("allbuy.storefront.urls")),
]

if settings.ALLBUY_SERVE_MEDIA:
    # The embedded default serves uploaded and generated product images itself;
    # production serves MEDIA_ROOT from object storage or the front web server.
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))
