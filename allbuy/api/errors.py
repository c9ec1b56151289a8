"""Turn every failure under /api/ into one JSON shape: {"message", "code"}, plus "extra" or "detail" when useful."""

import logging
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from allbuy.core.errors import ApplicationError

logger = logging.getLogger(__name__)

HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


class MethodNotAllowed(ApplicationError):
    code = "method_not_allowed"
    status = 405

    def __init__(self, method: str, *, allowed: list[str]):
        super().__init__(f"{method[:20]} is not allowed here; use {', '.join(allowed)}.", extra={"allowed_methods": allowed})
        self.allowed = allowed


class CsrfFailed(ApplicationError):
    """A cookie-authenticated request that changes something came without a valid CSRF token."""

    code = "csrf_failed"
    status = 403

    def __init__(self) -> None:
        super().__init__(
            "CSRF check failed: send the token from GET /api/csrf in the X-CSRFToken header, with the csrftoken cookie."
        )


def error_response(api: NinjaAPI, request: HttpRequest, *, status: int, code: str, message: str, **more: Any) -> HttpResponse:
    return api.create_response(request, {"message": message, "code": code, **more}, status=status)


def _application_error(request: HttpRequest, exc: ApplicationError, *, api: NinjaAPI) -> HttpResponse:
    more = {"extra": exc.extra} if exc.extra else {}
    response = error_response(api, request, status=exc.status, code=exc.code, message=exc.message, **more)
    if isinstance(exc, MethodNotAllowed):
        response["Allow"] = ", ".join(exc.allowed)
    for name, value in getattr(exc, "headers", {}).items():  # e.g. WWW-Authenticate of a refused bearer token
        response[name] = value
    retry_after = exc.extra.get("retry_after")
    if exc.status in (429, 503) and isinstance(retry_after, int):
        response["Retry-After"] = str(retry_after)
    return response


# Views name their JSON body parameter `payload`; the caller knows the body's fields by their own names.
BODY_PARAMETER = "payload"


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja prefixes the location with its source ("path", "query", "body"); the caller knows the field by its name.
    parts = list(loc[1:])
    if loc and loc[0] == "body" and parts[:1] == [BODY_PARAMETER]:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or str(loc[0] if loc else "input")


def _validation_error(request: HttpRequest, exc: ValidationError, *, api: NinjaAPI) -> HttpResponse:
    detail = [
        {"field": _field_name(e.get("loc", ())), "message": str(e.get("msg", "")), "type": e.get("type", "")} for e in exc.errors
    ]
    message = "; ".join(f"'{d['field']}': {d['message']}" for d in detail[:5]) or "The request is not valid."
    return error_response(api, request, status=400, code="invalid_input", message=f"Invalid input: {message}.", detail=detail)


def _not_found(request: HttpRequest, exc: Http404, *, api: NinjaAPI) -> HttpResponse:
    return error_response(api, request, status=404, code="not_found", message="Not found.")


def _suspicious(request: HttpRequest, exc: SuspiciousOperation, *, api: NinjaAPI) -> HttpResponse:
    # Django answers these with a 400 too (e.g. too many parameters); the reason stays in the security log.
    logging.getLogger(f"django.security.{type(exc).__name__}").warning("%s", exc)
    return error_response(api, request, status=400, code="bad_request", message="The request is malformed or too large.")


def _forbidden(request: HttpRequest, exc: PermissionDenied, *, api: NinjaAPI) -> HttpResponse:
    return error_response(api, request, status=403, code="forbidden", message="You may not do that.")


def _http_error(request: HttpRequest, exc: HttpError, *, api: NinjaAPI) -> HttpResponse:
    code = HTTP_ERROR_CODES.get(exc.status_code, "http_error")
    return error_response(api, request, status=exc.status_code, code=code, message=str(exc))


def _not_authenticated(request: HttpRequest, exc: AuthenticationError, *, api: NinjaAPI) -> HttpResponse:
    message = "Sign in first: this endpoint needs an AllBuy session (the session cookie set at sign-in)."
    return error_response(api, request, status=401, code="not_authenticated", message=message)


def _unexpected_error(request: HttpRequest, exc: Exception, *, api: NinjaAPI) -> HttpResponse:
    # The traceback goes to the log, never to the client; the path is logged without its query string.
    logger.exception("Unhandled error in %s %s", request.method, request.path[:200])
    return error_response(api, request, status=500, code="server_error", message="Something went wrong on our side.")


def error_handlers_install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers, whose bodies are {"detail": ...} or Django's HTML 500 page."""
    api.add_exception_handler(ApplicationError, partial(_application_error, api=api))
    api.add_exception_handler(ValidationError, partial(_validation_error, api=api))
    api.add_exception_handler(Http404, partial(_not_found, api=api))
    api.add_exception_handler(SuspiciousOperation, partial(_suspicious, api=api))
    api.add_exception_handler(PermissionDenied, partial(_forbidden, api=api))
    api.add_exception_handler(HttpError, partial(_http_error, api=api))
    api.add_exception_handler(AuthenticationError, partial(_not_authenticated, api=api))
    api.add_exception_handler(Exception, partial(_unexpected_error, api=api))
