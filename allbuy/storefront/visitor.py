"""The per-visitor parts of a page, kept out of the cached document and filled in on every request.

Cached pages are shared by every visitor. Whatever depends on who is asking is rendered here, per
request, into the slots the shared document leaves for it: the account corner and the cart link of the
header, the privacy-policy banner (each template renders its own slot marker when rendered without a
request), and, on product pages, the add-to-cart form's CSRF token and its status message.
Anonymous visitors without a cart all get the same slots (a "Sign in" link, an empty cart, no banner),
rendered once per process: rendering them per request cost catalog pages a fifth of their throughput.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html

from allbuy.cart.services import SESSION_KEY

CART_SLOT = "<!--header-cart-->"
ADD_STATUS_SLOT = "<!--add-to-cart-status-->"
CSRF_SLOT = "<!--csrf-token-->"
# Messages the add-to-cart status slot shows (the add-to-cart view tags them so).
CART_MESSAGE_TAG = "cart"

# slot marker in the cached document -> template rendered for this request
SLOTS = {
    "<!--visitor-->": "accounts/_header_account.html",
    "<!--privacy-banner-->": "privacy/_policy_banner.html",
    CART_SLOT: "cart/_header_cart.html",
    ADD_STATUS_SLOT: "cart/_add_status.html",
}
_anonymous: dict[str, str] = {}

# Slots whose owner renders them (the consent banner, recommendations): marker -> function of the request.
# Registered by the owning app at start-up (AppConfig.ready), so the storefront needs no import of it.
SLOT_RENDERERS: dict[str, Callable[[HttpRequest], str]] = {}


def slot_register(marker: str, render: Callable[[HttpRequest], str]) -> None:
    """Have `render(request)` fill `marker` in every cached page that leaves that slot."""
    SLOT_RENDERERS[marker] = render


def _cart_messages(request: HttpRequest) -> list[Message]:
    """Take the add-to-cart messages waiting for this visitor; any other message stays for the page it belongs to."""
    shown = []
    for message in list(messages.get_messages(request)):
        if CART_MESSAGE_TAG in message.extra_tags.split():
            shown.append(message)
        else:
            messages.add_message(request, message.level, message.message, extra_tags=message.extra_tags)
    return shown


def _is_generic(marker: str, request: HttpRequest) -> bool:
    """Tell whether this visitor's slot is the one every anonymous visitor without a cart gets.

    Costs no query for a visitor without a session: the session is read only when its cookie came along.
    """
    if request.user.is_authenticated:
        return False
    if marker == CART_SLOT:
        session = getattr(request, "session", None)
        return session is None or not session.get(SESSION_KEY)
    if marker == ADD_STATUS_SLOT:
        return not messages.get_messages(request)
    return True


def _slot_html(marker: str, request: HttpRequest) -> str:
    if marker == CSRF_SLOT:
        # The cached form is the same for everyone; its token is this visitor's, filled in here.
        return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
    if not _is_generic(marker, request):
        context = {"cart_messages": _cart_messages(request)} if marker == ADD_STATUS_SLOT else None
        return render_to_string(SLOTS[marker], context, request=request)
    html = _anonymous.get(marker)
    if html is None:
        context = {"cart_messages": []} if marker == ADD_STATUS_SLOT else None
        html = _anonymous[marker] = render_to_string(SLOTS[marker], context, request=request)
    return html


def visitor_fill(document: str, request: HttpRequest) -> str:
    """Return the document with every visitor slot replaced by its per-request rendering."""
    for marker in (*SLOTS, CSRF_SLOT):
        if marker in document:
            document = document.replace(marker, _slot_html(marker, request), 1)
    for marker, render in SLOT_RENDERERS.items():
        if marker in document:
            document = document.replace(marker, render(request), 1)
    return document
