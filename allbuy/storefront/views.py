from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("AllBuy")


def search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("search")


def category(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("category")


def brand(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("brand")


def product(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("product")


def product_variant(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("variant")
