"""The consent banner and the tracking state, filled into every page per visitor (cached pages leave a slot).

Visitors who have not chosen all see the same banner (one for browsers sending GPC, one for the others), rendered
once per process; only the page to return to is filled in per request. The banner's form carries no CSRF token
(the cookie settings view checks where a post comes from instead, see `views.same_origin_or_token`): a first
visit sets no cookie at all, and serving it costs no token.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.http import urlencode

from allbuy.tracking.consent import request_consent

CONSENT_SLOT = "<!--consent-banner-->"
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
            {"gpc": consent.gpc, "next_value": _NEXT, "next_query": _NEXT_QUERY},
        )
    here = request.get_full_path()
    html = banner.replace(_NEXT_QUERY, escape(urlencode({"next": here}))).replace(_NEXT, escape(here))
    return html + STATE.format("count")
