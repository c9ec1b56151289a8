"""The "our policy changed" banner for pages rendered once and shared by every visitor.

Such pages (the storefront's cached catalog documents) are rendered without a request, so the banner's
include leaves `BANNER_SLOT` in their place; `policy_banner_fill` puts the visitor's banner there per request.
"""

from django.http import HttpRequest
from django.template.loader import render_to_string

BANNER_SLOT = "<!--privacy-banner-->"


def policy_banner_html(request: HttpRequest) -> str:
    """Return the banner for this request's visitor, or an empty string when there is nothing to say."""
    return render_to_string("privacy/_policy_banner.html", request=request).strip()


def policy_banner_fill(document: str, request: HttpRequest) -> str:
    """Return `document` with its banner slot replaced by this visitor's banner (no query for anonymous visitors)."""
    if BANNER_SLOT not in document:
        return document
    return document.replace(BANNER_SLOT, policy_banner_html(request), 1)
