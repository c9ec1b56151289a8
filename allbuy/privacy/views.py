"""Privacy pages: the living policy, its history, the "policy changed" banner's dismissal, and My privacy."""

from __future__ import annotations

import json
from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from allbuy.accounts.models import User
from allbuy.core import clock
from allbuy.core.errors import NotFound
from allbuy.fulfilment.selectors import access_log_details, shipping_grants_for
from allbuy.privacy.datamap import COOKIES
from allbuy.privacy.export import subject_data_export
from allbuy.privacy.policy import policy_acknowledge, policy_tables
from allbuy.privacy.selectors import (
    access_log_page,
    my_privacy_overview,
    policy_document_current,
    policy_document_get,
    policy_history,
)
from allbuy.tracking.consent import request_consent
from allbuy.tracking.selectors import tracking_export, tracking_overview


@require_safe
def policy(request: HttpRequest) -> HttpResponse:
    context = {
        "document": policy_document_current(),
        "tables": policy_tables(),
        "access_log_days": settings.ALLBUY_ACCESS_LOG_DAYS,
        "cookies": COOKIES,
    }
    return render(request, "privacy/policy.html", context)


@require_safe
def policy_history_page(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/history.html", {"entries": policy_history()})


@require_safe
def policy_version(request: HttpRequest, version: str) -> HttpResponse:
    try:
        document = policy_document_get(version=version)
    except NotFound as error:
        return render(request, "404.html", {"message": error.message}, status=404)
    return render(request, "privacy/version.html", {"document": document})


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@require_POST
def policy_acknowledge_view(request: HttpRequest) -> HttpResponse:
    """Dismiss the "policy changed" banner: an empty answer for htmx (the banner is swapped out), else go back."""
    if request.user.is_authenticated:
        version_id = request.POST.get("version", "")
        policy_acknowledge(user=request.user, version_id=int(version_id) if version_id.isdigit() else None)
    if getattr(request, "htmx", False):
        return HttpResponse("")
    return HttpResponseRedirect(_safe_next(request))


@never_cache
@login_required
@require_safe
def my_privacy(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    log_page, log_rows = access_log_page(subject_id=user.subject_id, page=request.GET.get("page"))
    context = {
        "overview": my_privacy_overview(user=user),
        "log_page": log_page,
        "log_rows": access_log_details(log_rows, subject_id=user.subject_id),
        "grants": shipping_grants_for(subject_id=user.subject_id, now=clock.now()),
        "grant_days": settings.ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY,
        "tracking": tracking_overview(user=user),
        "consent": request_consent(request),
        "event_days": settings.ALLBUY_EVENT_RETENTION_DAYS,
    }
    return render(request, "privacy/my_privacy.html", context)


@never_cache
@login_required
@require_safe
def my_privacy_download(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    export = subject_data_export(subject=user.subject)
    export["tracking"] = tracking_export(user=user)
    response = HttpResponse(
        json.dumps(export, indent=2, sort_keys=True, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="allbuy-my-data-{clock.now().date().isoformat()}.json"'
    return response
