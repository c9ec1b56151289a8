"""Cookie settings (the banner posts here too), the GPC declaration, and the events batch endpoint."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.csrf import csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from allbuy.core import clock
from allbuy.core.http import see_other
from allbuy.core.net import client_ip
from allbuy.tracking.consent import Consent, request_consent, request_visitor
from allbuy.tracking.devices import device_class
from allbuy.tracking.forms import ConsentForm
from allbuy.tracking.ingest import BatchRejected, batch_parse, batch_size_check, batch_validate, product_ids_mentioned
from allbuy.tracking.models import EventKind
from allbuy.tracking.services import events_allowance, events_store, path_countable, products_existing
from allbuy.tracking.signals import events_stored

GPC_UPDATED = date(2026, 12, 4)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


def _settings_page(
    request: HttpRequest, form: ConsentForm, consent: Consent, *, status: int = 200, **extra: object
) -> HttpResponse:
    context = {"form": form, "consent": consent, "visitor_days": settings.ALLBUY_VISITOR_ID_DAYS, **extra}
    return render(request, "tracking/cookie_settings.html", context, status=status)


def same_origin_or_token(request: HttpRequest) -> HttpResponse | None:
    """Refuse a cross-site post: by what the browser says of its origin, or, when it says nothing, by the CSRF token.

    Every current browser sends `Sec-Fetch-Site` or `Origin` with a form post, and neither can be forged by a page
    on another site; so the banner's form needs no token, and a first visit needs no CSRF cookie. A post that
    carries neither header (an old browser, a script) must bring a valid token, as everywhere else in the shop.
    """
    if "Sec-Fetch-Site" in request.headers or "Origin" in request.headers:
        if _same_origin(request):
            return None
        return csrf_failure(request, reason="Origin checking failed: the choice was posted from another site.")
    # Checked as for a view that is not exempt (this one is: it checks here).
    return CsrfViewMiddleware(_unused_response).process_view(request, _unused_response, (), {})


def _unused_response(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


@csrf_exempt  # checked by same_origin_or_token, below
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cookie_settings(request: HttpRequest) -> HttpResponse:
    """Show and change the visitor's choices; the banner's buttons post here as well."""
    consent = request_consent(request)
    if request.method != "POST":
        return _settings_page(request, ConsentForm.for_consent(consent), consent, next=_next(request))
    refused = same_origin_or_token(request)
    if refused is not None:
        return refused
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, form, consent, status=400, next=_next(request))
    consent = form.decide(request)
    if getattr(request, "htmx", False) and form.data.get("from") == "banner":
        return HttpResponse("")  # the banner goes away; the page stays as it is
    target = _next(request)
    if target:
        return see_other(target)
    return _settings_page(request, ConsentForm.for_consent(consent), consent, saved=True)


@require_safe
def gpc_declaration(request: HttpRequest) -> JsonResponse:
    """`/.well-known/gpc.json`: AllBuy honours Global Privacy Control (https://privacycg.github.io/gpc-spec/)."""
    response = JsonResponse({"gpc": True, "lastUpdate": GPC_UPDATED.isoformat()})
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _error(error: BatchRejected) -> JsonResponse:
    return JsonResponse({"message": error.message, "code": error.code}, status=error.status)


def _same_origin(request: HttpRequest) -> bool:
    # A browser tells where a request comes from; a page of another site cannot make it say otherwise.
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.get_host()}"


@csrf_exempt
def events_batch(request: HttpRequest) -> JsonResponse:
    """Take a batch of behaviour events. Without consent only page views are counted, with no identifier."""
    if request.method != "POST":
        response = JsonResponse({"message": "Send events with POST.", "code": "method_not_allowed"}, status=405)
        response["Allow"] = "POST"
        return response
    if not _same_origin(request):
        return JsonResponse(
            {"message": "Events are accepted from the shop's own pages only.", "code": "cross_origin"}, status=403
        )
    try:
        batch_size_check(int(request.headers.get("Content-Length") or 0))
        events = batch_parse(request.body)
    except BatchRejected as error:
        return _error(error)
    except ValueError:
        return JsonResponse({"message": "The Content-Length header is not a number.", "code": "malformed_request"}, status=400)
    now = clock.now()
    visitor = request_visitor(request)
    if visitor is None:
        # Without consent only page views are read at all: everything else is dropped unread.
        page_views = [raw for raw in events if isinstance(raw, dict) and raw.get("type") == "page_view"]
        batch = batch_validate(page_views, now=now, known_products=frozenset())
        batch.drop("no_consent", len(events) - len(page_views))
        rows = [row for row in batch.rows if path_countable(row.path)]
        batch.drop("unknown_path", len(batch.rows) - len(rows))
    else:
        batch = batch_validate(events, now=now, known_products=products_existing(product_ids_mentioned(events)))
        rows = batch.rows
    # Floods are cut per visitor, or per address for anonymous counting (held in memory only, never stored).
    granted = events_allowance(visitor=visitor or f"ip:{client_ip(request)}", wanted=len(rows), now=now)
    if granted < len(rows):
        batch.drop("rate_limited", len(rows) - granted)
        rows = rows[:granted]
    page_paths = [row.path for row in rows if row.kind == EventKind.PAGE_VIEW and path_countable(row.path)]
    device = device_class(request.headers.get("User-Agent", "")) if visitor else 0
    counted = len(page_paths)
    try:
        accepted = events_store(rows, visitor=visitor, device=device, page_paths=page_paths, now=now)
        if accepted:
            events_stored.send(sender=events_batch, count=accepted)
    except DatabaseError:
        return JsonResponse({"message": "Events could not be stored; try again later.", "code": "unavailable"}, status=503)
    status = 429 if not rows and batch.dropped.get("rate_limited") else 200
    body = {"accepted": accepted, "counted": counted, "dropped": sum(batch.dropped.values()), "reasons": dict(batch.dropped)}
    if status == 429:
        body |= {"message": "Too many events from this browser; try again in a minute.", "code": "rate_limited"}
    return JsonResponse(body, status=status)
