from typing import Any

from allbuy.accounts.models import PSEUDONYM_DOMAIN


def html_of(response: Any) -> str:
    """Return the page's HTML, after checking it never shows a sign-in key (an address's blind index)."""
    html = response.content.decode()
    assert PSEUDONYM_DOMAIN not in html, f"{response.status_code} page shows a sign-in key instead of an address"
    return html
