from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Nothing per request: the category menu is rendered by a cached template fragment."""
    return {}
