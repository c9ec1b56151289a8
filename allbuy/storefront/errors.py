"""Errors as pages: domain errors become a 4xx page saying what was wrong; 404 and 500 in the shop's look."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import TemplateDoesNotExist, loader
from django.utils.http import urlencode

from allbuy.catalog.query import MAX_QUERY_LENGTH
from allbuy.core.errors import ApplicationError
from allbuy.storefront.rendering import is_partial

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def reset_url(request: HttpRequest) -> str:
    """Return this page without its filters (a search keeps its words)."""
    q = request.GET.getlist("q")
    if len(q) == 1 and q[0].strip() and len(q[0]) <= MAX_QUERY_LENGTH:
        return f"{request.path}?{urlencode({'q': q[0].strip()})}"
    return request.path


def application_error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """Render `error` as a page (or, for htmx, as a panel in the updated region) with its 4xx status."""
    status = error.status if 400 <= error.status < 500 else 400
    context: dict[str, Any] = {"message": error.message, "status": status, "reset_url": reset_url(request)}
    logger.info("storefront %s: %s", error.code, request.path)
    if is_partial(request):
        response = render(request, "storefront/_error_panel.html", context, status=status)
        response["HX-Push-Url"] = "false"  # keep the address bar on the last page that worked
        return response
    return render(request, "404.html" if status == 404 else "400.html", context, status=status)


def application_errors_as_pages(view: View) -> View:
    """Answer an ApplicationError raised by `view` (or what it calls) with its error page instead of a 500."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as error:
            return application_error_response(request, error)

    return wrapper


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 404 handler: the shop's 404 page, without echoing the requested path back."""
    return render(request, "404.html", {"status": 404}, status=404)


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """The 500 handler: a self-contained page that needs no request context, database or static files."""
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except TemplateDoesNotExist:
        return HttpResponseServerError("<h1>Server error (500)</h1>", content_type="text/html")
