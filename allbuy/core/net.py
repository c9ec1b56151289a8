"""The client's IP address as seen by the shop, for rate limits only (it is never stored in the clear).

Behind a reverse proxy REMOTE_ADDR is the proxy's address, which would put every shopper in one bucket.
`ALLBUY_TRUSTED_PROXIES` says how many proxies in front of the shop append to X-Forwarded-For; the
client is the address that many hops from the right. Addresses further left were written by the client
and cannot be trusted, so they are never used. With 0 (the embedded default: no proxy) the header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """Return the client's address, or "" when it cannot be told (callers then skip per-address limits)."""
    proxies = int(getattr(settings, "ALLBUY_TRUSTED_PROXIES", 0))
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return _valid(hops[-proxies])
