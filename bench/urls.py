"""The shop's URLs plus the floor: the cheapest possible view behind the same middleware stack."""

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

from bench.django_project import FLOOR_PATH
from config.urls import urlpatterns as shop_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns: list[URLPattern | URLResolver] = [path(FLOOR_PATH.lstrip("/"), floor, name="bench_floor"), *shop_urlpatterns]
