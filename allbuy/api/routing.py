"""Who may call what, and JSON answers for requests no endpoint serves.

- A method a path does not take is a JSON 405, a path that does not exist a JSON 404. Without these,
  ninja answers a wrong method with a plain-text 405 and Django answers an unknown path with the
  storefront's HTML 404 page.
- Signed-in callers are known by Django's session cookie, the one the storefront sets at sign-in
  (first-party AllBuy apps share the account). A cookie is sent by the browser whoever asks it to, so
  every cookie-authenticated request that changes something must carry the CSRF token: send the
  token from `GET /api/csrf` (which also sets the `csrftoken` cookie) in the `X-CSRFToken` header.
  Over HTTPS Django also checks that the Origin (or Referer) is this site or in CSRF_TRUSTED_ORIGINS.
  `session_required` refuses anonymous callers (401); `session_optional` lets them through (the
  cart endpoints, where an anonymous cart's id is the secret) and still checks CSRF for signed-in ones.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, NoReturn

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.security import APIKeyCookie
from ninja.signature.utils import get_path_param_names
from ninja.utils import check_csrf

from allbuy.api.errors import CsrfFailed, MethodNotAllowed
from allbuy.api.schemas import ErrorOut
from allbuy.core.errors import NotFound

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _refusal(allowed: list[str], *, path_params: set[str]) -> Callable[..., NoReturn]:
    def method_refuse(request: HttpRequest, **params: str) -> NoReturn:
        raise MethodNotAllowed(request.method or "", allowed=allowed)

    # ninja matches path parameters to the view's signature, so a path with {slug} needs a view taking `slug`.
    request_param = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest)
    named = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str) for name in sorted(path_params)]
    method_refuse.__signature__ = inspect.Signature([request_param, *named])  # type: ignore[attr-defined]
    return method_refuse


def methods_refuse_others(router: Router) -> None:
    """Answer every method the router's paths do not serve with a JSON 405 listing the ones they do."""
    for path, path_view in list(router.path_operations.items()):
        allowed = sorted({method for operation in path_view.operations for method in operation.methods})
        refused = [method for method in METHODS if method not in allowed]
        view = _refusal(allowed, path_params=get_path_param_names(path))
        # auth=None: a refusal does nothing, so it needs no session (and answers 405 before any sign-in check).
        router.add_api_operation(path, refused, view, auth=None, include_in_schema=False)


# --- session authentication ------------------------------------------------------------------------------------


class AnonymousCaller:
    """`request.auth` of a caller without a session on an endpoint that allows it (truthy, unlike None)."""

    def __bool__(self) -> bool:
        return True


ANONYMOUS = AnonymousCaller()


class SessionCookie(APIKeyCookie):
    """Django's session cookie, as ninja's `django_auth`, with CSRF checked only once the caller is known.

    ninja's own class checks CSRF before anything else, so a caller with no session at all would get a
    CSRF 403 instead of the 401 that tells it to sign in.
    """

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The session cookie AllBuy sets at sign-in. POST, PUT, PATCH and DELETE sent with it also need the CSRF "
        "token from GET /api/csrf in the X-CSRFToken header."
    )

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return self.authenticate(request, None)
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfFailed  # safe methods (GET, HEAD, OPTIONS) always pass
        return request.user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return None


class SessionCookieOptional(SessionCookie):
    """The session cookie if there is one, else an anonymous caller; OpenAPI lists both ways."""

    openapi_description = "Optional: " + SessionCookie.openapi_description

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return ANONYMOUS


session_required = SessionCookie()
session_optional = SessionCookieOptional()
# For operations using `session_optional`: an empty requirement says "or no authentication at all".
SESSION_OPTIONAL_OPENAPI: dict[str, Any] = {"security": [{}]}


class CsrfOut(Schema):
    csrf_token: str = Field(description="Send it in the X-CSRFToken header of every POST, PUT, PATCH and DELETE.")
    header: str = Field(examples=["X-CSRFToken"])
    cookie: str = Field(examples=["csrftoken"], description="The cookie this answer sets; send it back with the header.")


session_router = Router(tags=["session"])


@session_router.get("/csrf", response={200: CsrfOut, 400: ErrorOut}, summary="Get a CSRF token", auth=None)
def csrf_get(request: HttpRequest) -> CsrfOut:
    """Return the CSRF token and set its cookie: signed-in callers need both to change anything."""
    header = settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-").title().replace("Csrftoken", "CSRFToken")
    return CsrfOut(csrf_token=get_token(request), header=header, cookie=settings.CSRF_COOKIE_NAME)


# --- fallbacks ---------------------------------------------------------------------------------------------------


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
