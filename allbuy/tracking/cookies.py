"""The consent and visitor-id cookies: decided during a request, written on its response by ConsentMiddleware.

A decision can be taken anywhere in a request (a view, the sign-in signal); the cookies it implies are queued on
the request and set on whatever response goes out, so no code path forgets them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from allbuy.core import clock
from allbuy.privacy.policy import policy_current
from allbuy.tracking.consent import (
    CONSENT_COOKIE,
    CONSENT_COOKIE_DAYS,
    NEW_VISITOR_ATTRIBUTE,
    VISITOR_COOKIE,
    Choice,
    Consent,
    gpc_requested,
    request_consent,
    request_consent_set,
    request_visitor_id,
    visitor_id_new,
    visitor_pseudonym,
)
from allbuy.tracking.models import ConsentRecord
from allbuy.tracking.services import consent_latest, consent_record, visitor_forget, visitor_link

_OPS = "_allbuy_cookie_ops"
CookieOp = Callable[[HttpResponse], None]


def _queue(request: HttpRequest, name: str, op: CookieOp) -> None:
    ops: dict[str, CookieOp] = request.__dict__.setdefault(_OPS, {})
    ops[name] = op  # the last decision about a cookie wins


def _secure() -> bool:
    return bool(settings.SESSION_COOKIE_SECURE)


def _consent_cookie_set(request: HttpRequest, choice: Choice) -> None:
    value = choice.cookie_value()
    _queue(
        request,
        CONSENT_COOKIE,
        lambda response: response.set_cookie(
            CONSENT_COOKIE,
            value,
            max_age=int(timedelta(days=CONSENT_COOKIE_DAYS).total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=_secure(),
        ),
    )


def _visitor_cookie_set(request: HttpRequest) -> str:
    visitor_id = visitor_id_new()
    setattr(request, NEW_VISITOR_ATTRIBUTE, visitor_id)
    _queue(
        request,
        VISITOR_COOKIE,
        lambda response: response.set_cookie(
            VISITOR_COOKIE,
            visitor_id,
            max_age=int(timedelta(days=settings.ALLBUY_VISITOR_ID_DAYS).total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=_secure(),
        ),
    )
    return visitor_id


def _visitor_cookie_delete(request: HttpRequest) -> None:
    request.__dict__.pop(NEW_VISITOR_ATTRIBUTE, None)
    _queue(request, VISITOR_COOKIE, lambda response: response.delete_cookie(VISITOR_COOKIE, samesite="Lax"))


def choice_new(request: HttpRequest, *, analytics: bool, personalisation: bool, marketing: bool) -> Choice:
    current = policy_current()
    return Choice(
        analytics=analytics,
        personalisation=personalisation,
        marketing=marketing,
        gpc=gpc_requested(request),
        policy_version=current.version if current else "",
        decided_at=clock.now(),
    )


def _signed_in(request: HttpRequest) -> object | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _apply(request: HttpRequest, choice: Choice, user: object | None) -> Consent:
    """Make `choice` this browser's consent: cookies, visitor id, and the account link when signed in."""
    _consent_cookie_set(request, choice)
    consent = request_consent_set(request, choice)
    visitor_id = request_visitor_id(request)
    if consent.collects_events:
        if visitor_id is None:
            visitor_id = _visitor_cookie_set(request)
        if user is not None:
            visitor_link(visitor=visitor_pseudonym(visitor_id), user=user)
    elif visitor_id is not None or user is not None:
        # Withdrawn (or never given): collection stops now; the link, the events and the identifier go.
        visitor_forget(visitor=visitor_pseudonym(visitor_id) if visitor_id else None, user=user)
        if visitor_id is not None:
            _visitor_cookie_delete(request)
    return consent


def consent_decide(*, request: HttpRequest, analytics: bool, personalisation: bool, marketing: bool, source: str) -> Consent:
    """Record a visitor's decision (in their account's history when signed in) and make it take effect at once."""
    choice = choice_new(request, analytics=analytics, personalisation=personalisation, marketing=marketing)
    user = _signed_in(request)
    if user is not None:
        consent_record(user=user, choice=choice, source=source)
    return _apply(request, choice, user)


def consent_at_sign_in(request: HttpRequest, user: object) -> None:
    """Bring the browser and the account to the newer of their two decisions, then link the visitor if allowed."""
    browser = request_consent(request).choice
    account = consent_latest(user=user)
    if browser is not None and (account is None or browser.decided_at > account.decided_at):
        consent_record(user=user, choice=browser, source=ConsentRecord.Source.SIGN_IN)
        chosen = browser
    elif account is not None:
        chosen = account
    else:
        return
    _apply(request, chosen, user)


def visitor_cookie_missing_fill(request: HttpRequest) -> None:
    """A consenting browser that lost its visitor id (expired, cleared) gets a new one."""
    consent = request_consent(request)
    if consent.collects_events and request_visitor_id(request) is None and _OPS not in request.__dict__:
        _visitor_cookie_set(request)


class ConsentMiddleware:
    """Set the cookies that this request's consent decisions imply on its response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        visitor_cookie_missing_fill(request)
        for op in request.__dict__.get(_OPS, {}).values():
            op(response)
        return response
