"""The consent banner and the tracking state, filled into every page per visitor (cached pages leave a slot).

Visitors who have not chosen all see the same banner (one for browsers sending GPC, one for the others), rendered
once per process; only their CSRF token and the page to return to are filled in per request.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.http import urlencode

from allbuy.tracking.consent import request_consent

CONSENT_SLOT = "<!--consent-banner-->"
_TOKEN = "\x00csrf\x00"  # noqa: S105 - a placeholder, not a secret
_NEXT = "\x00next\x00"
_NEXT_QUERY = "\x00next-query\x00"
# What the page script may send: "events" (consented) or "count" (a page view, counted without any identifier).
STATE = '<div id="tracking-state" hidden data-collect="{}"></div>'
_banners: dict[bool, str] = {}


def consent_slot_html(request: HttpRequest) -> str:
    consent = request_consent(request)
    if consent.decided and not (consent.gpc_honoured and consent.choice is not None and not consent.choice.gpc):
        return STATE.format("events" if consent.collects_events else "count")
    banner = _banners.get(consent.gpc)
    if banner is None:
        banner = _banners[consent.gpc] = render_to_string(
            "tracking/_consent_banner.html",
            {"gpc": consent.gpc, "csrf_value": _TOKEN, "next_value": _NEXT, "next_query": _NEXT_QUERY},
        )
    here = request.get_full_path()
    html = (
        banner.replace(_TOKEN, escape(get_token(request)))
        .replace(_NEXT_QUERY, escape(urlencode({"next": here})))
        .replace(_NEXT, escape(here))
    )
    return html + STATE.format("count")
