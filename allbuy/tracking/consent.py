"""What a visitor agreed to, read from the request, and the visitor's pseudonym when they agreed.

A choice lives in a signed cookie (`allbuy_consent`) for everyone: reading it costs no query. For signed-in
customers every decision is also a `ConsentRecord` row (the history they see on My privacy), and at sign-in the
newer of the browser's choice and the account's becomes both. The consent cookie is strictly necessary: it only
remembers the choice, and it is set only once a choice has been made.

Global Privacy Control (`Sec-GPC: 1`) refuses analytics, personalisation and marketing unless the choice in
effect was itself made while the browser sent the signal (an explicit opt-in after the signal).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.core import signing
from django.http import HttpRequest

from allbuy.privacy.crypto import blind_index

CONSENT_COOKIE = "allbuy_consent"
VISITOR_COOKIE = "allbuy_vid"
CONSENT_COOKIE_DAYS = 180  # ask again after six months
_SALT = "allbuy.tracking.consent"
_REQUEST_ATTRIBUTE = "_allbuy_consent"
NEW_VISITOR_ATTRIBUTE = "_allbuy_new_visitor_id"  # a visitor id set during this request (allbuy.tracking.cookies)
GROUPS = ("analytics", "personalisation", "marketing")


@dataclass(frozen=True)
class Choice:
    """A decision as stored: the groups, whether GPC was on when it was made, the policy version, the time."""

    analytics: bool
    personalisation: bool
    marketing: bool
    gpc: bool
    policy_version: str
    decided_at: datetime

    def cookie_value(self) -> str:
        payload = {
            "a": int(self.analytics),
            "p": int(self.personalisation),
            "m": int(self.marketing),
            "g": int(self.gpc),
            "v": self.policy_version,
            "t": int(self.decided_at.timestamp()),
        }
        return signing.dumps(payload, salt=_SALT, compress=False)


def choice_from_cookie(value: str | None) -> Choice | None:
    """Return the choice a consent cookie carries, or None when it is missing, forged or malformed."""
    if not value or len(value) > 400:
        return None
    try:
        payload = signing.loads(value, salt=_SALT)
        return Choice(
            analytics=bool(payload["a"]),
            personalisation=bool(payload["p"]),
            marketing=bool(payload["m"]),
            gpc=bool(payload["g"]),
            policy_version=str(payload["v"])[:20],
            decided_at=datetime.fromtimestamp(int(payload["t"]), tz=UTC),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class Consent:
    """What may be done for this request, after GPC."""

    analytics: bool
    personalisation: bool
    marketing: bool
    decided: bool  # a choice is stored (the banner is not shown)
    gpc: bool  # the request carries Sec-GPC: 1
    gpc_honoured: bool  # the signal turned off what a choice without it would have allowed, or no choice was made
    choice: Choice | None

    @property
    def collects_events(self) -> bool:
        return self.analytics or self.personalisation


NOTHING = Consent(False, False, False, decided=False, gpc=False, gpc_honoured=False, choice=None)


def gpc_requested(request: HttpRequest) -> bool:
    return request.headers.get("Sec-GPC", "").strip() == "1"


def consent_evaluate(choice: Choice | None, *, gpc: bool) -> Consent:
    """Return what `choice` allows for a request that does (or does not) carry GPC. Pure."""
    if choice is None:
        return replace(NOTHING, gpc=gpc, gpc_honoured=gpc)
    if gpc and not choice.gpc:
        # The choice predates the signal: the signal wins until the visitor chooses again with it on.
        return Consent(False, False, False, decided=True, gpc=True, gpc_honoured=True, choice=choice)
    return Consent(
        choice.analytics,
        choice.personalisation,
        choice.marketing,
        decided=True,
        gpc=gpc,
        gpc_honoured=gpc and not (choice.analytics or choice.personalisation or choice.marketing),
        choice=choice,
    )


def request_consent(request: HttpRequest) -> Consent:
    """Return the consent in effect for this request (read once per request; no query)."""
    consent = getattr(request, _REQUEST_ATTRIBUTE, None)
    if consent is None:
        consent = consent_evaluate(choice_from_cookie(request.COOKIES.get(CONSENT_COOKIE)), gpc=gpc_requested(request))
        setattr(request, _REQUEST_ATTRIBUTE, consent)
    return consent


def request_consent_set(request: HttpRequest, choice: Choice) -> Consent:
    """Make `choice` the consent of the rest of this request (after a decision)."""
    consent = consent_evaluate(choice, gpc=gpc_requested(request))
    setattr(request, _REQUEST_ATTRIBUTE, consent)
    return consent


def visitor_id_new() -> str:
    return secrets.token_urlsafe(16)


def visitor_id_valid(value: str | None) -> bool:
    return bool(value) and 16 <= len(value or "") <= 32 and all(c.isalnum() or c in "-_" for c in value or "")


def visitor_pseudonym(visitor_id: str) -> str:
    """Return what the database keeps instead of the cookie: a keyed hash that cannot be turned back into it."""
    return blind_index(visitor_id, kind="visitor")[:32]


def request_visitor(request: HttpRequest, *, purpose: str = "events") -> str | None:
    """Return this visitor's pseudonym when the consent in effect allows `purpose`, else None.

    `purpose` is "events" (analytics or personalisation: behaviour may be recorded) or "personalisation"
    (the visitor's own events may tailor what they see).
    """
    consent = request_consent(request)
    allowed = consent.personalisation if purpose == "personalisation" else consent.collects_events
    if not allowed:
        return None
    visitor_id = request_visitor_id(request)
    return visitor_pseudonym(visitor_id) if visitor_id is not None else None


def request_visitor_id(request: HttpRequest) -> str | None:
    """Return this browser's visitor id: the one set during this request, else its cookie's, when well formed."""
    visitor_id = getattr(request, NEW_VISITOR_ATTRIBUTE, None) or request.COOKIES.get(VISITOR_COOKIE)
    return visitor_id if visitor_id_valid(visitor_id) else None
