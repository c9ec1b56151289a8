"""Small response helpers shared by the server-rendered views."""

from __future__ import annotations

from django.http import HttpResponseRedirect

from allbuy.core.errors import ApplicationError


def see_other(url: str) -> HttpResponseRedirect:
    """A 303 redirect: after a POST, the browser follows it with a GET (a reload does not resubmit)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def client_status(error: ApplicationError) -> int:
    """The status a page re-rendered with a refusal answers: the error's own 4xx, else 400."""
    return error.status if 400 <= error.status < 500 else 400
