"""JSON answers for requests no endpoint serves: a method a path does not take (405), a path that does not exist (404).

Without these, ninja answers a wrong method with a plain-text 405 and Django answers an unknown
path with the storefront's HTML 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router
from ninja.signature.utils import get_path_param_names

from allbuy.api.errors import MethodNotAllowed
from allbuy.core.errors import NotFound

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _refusal(allowed: list[str], *, takes_slug: bool) -> Callable[..., NoReturn]:
    def method_refuse(request: HttpRequest) -> NoReturn:
        raise MethodNotAllowed(request.method or "", allowed=allowed)

    # ninja matches path parameters to the view's signature, so a path with {slug} needs a view taking it.
    def method_refuse_for_slug(request: HttpRequest, slug: str) -> NoReturn:
        method_refuse(request)

    if takes_slug:
        return method_refuse_for_slug
    return method_refuse


def methods_refuse_others(router: Router) -> None:
    """Answer every method the router's paths do not serve with a JSON 405 listing the ones they do."""
    for path, path_view in list(router.path_operations.items()):
        params = get_path_param_names(path)
        if params - {"slug"}:
            raise ImproperlyConfigured(f"methods_refuse_others() knows only the path parameter 'slug', not {params}.")
        allowed = sorted({method for operation in path_view.operations for method in operation.methods})
        refused = [method for method in METHODS if method not in allowed]
        router.add_api_operation(path, refused, _refusal(allowed, takes_slug=bool(params)), include_in_schema=False)


def _no_endpoint() -> NotFound:
    return NotFound(f"There is no such API endpoint; the endpoints are listed at {reverse('api:openapi-view')}.")


# Mounted last: its catch-all path would hide every router added after it.
fallback_router = Router()


@fallback_router.api_operation(list(METHODS), "/", include_in_schema=False)
def api_root(request: HttpRequest) -> NoReturn:
    raise _no_endpoint()


@fallback_router.api_operation(list(METHODS), "/{path:rest}", include_in_schema=False)
def path_unknown(request: HttpRequest, rest: str) -> NoReturn:
    raise _no_endpoint()
