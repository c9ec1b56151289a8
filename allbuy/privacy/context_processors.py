from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from allbuy.privacy.policy import policy_banner_for


def policy_banner(request: HttpRequest) -> dict[str, Any]:
    """Offer the "our policy changed" banner lazily: a page that never shows it (an htmx partial) costs nothing.

    Anonymous visitors cost no query; signed-in customers one, once the current version is cached.
    """
    return {"policy_banner": SimpleLazyObject(lambda: policy_banner_for(getattr(request, "user", None)))}
