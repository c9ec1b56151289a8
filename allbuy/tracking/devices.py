"""The class of device a request came from, told from its User-Agent, so the raw User-Agent is never kept.

Only four classes exist (`DeviceClass`): a User-Agent is too identifying to store or log, a class is not.
The rules are substring checks on the tokens browsers really send, in this order: robots and clients that
are not browsers are unknown; iPads and Android devices without "Mobile" are tablets; iPhones and anything
"Mobi" are phones; Windows, Mac, X11, Linux and ChromeOS browsers are desktops. iPadOS Safari presents
itself as a Mac by default, so it counts as a desktop: nothing in its User-Agent tells them apart.
"""

from __future__ import annotations

import re

from allbuy.tracking.models import DeviceClass

_ROBOT = re.compile(r"bot\b|crawl|spider|slurp|headless", re.IGNORECASE)
_TABLET = ("iPad", "Tablet", "Kindle", "Silk/", "PlayBook")
_MOBILE = ("Mobi", "iPhone", "iPod", "Windows Phone", "Opera Mini", "BlackBerry")
_DESKTOP = ("Windows NT", "Macintosh", "X11", "Linux", "CrOS")


def device_class(user_agent: str) -> int:
    """Return the `DeviceClass` value (unknown, mobile, tablet or desktop) of a User-Agent header."""
    if not user_agent.startswith("Mozilla/") or _ROBOT.search(user_agent):
        # curl, wget, HTTP libraries and crawlers (Googlebot's smartphone agent looks like an Android phone).
        return DeviceClass.UNKNOWN
    if any(token in user_agent for token in _TABLET):
        return DeviceClass.TABLET  # before "Mobi": iPad Safari says "Mobile/15E148"
    if any(token in user_agent for token in _MOBILE):
        return DeviceClass.MOBILE
    if "Android" in user_agent:
        return DeviceClass.TABLET  # Android browsers say "Mobile" on phones only
    if any(token in user_agent for token in _DESKTOP):
        return DeviceClass.DESKTOP
    return DeviceClass.UNKNOWN
