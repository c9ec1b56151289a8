"""Fixtures shared by every app's tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    from allbuy.cart.quoting import promotions_memo_forget
    from allbuy.deals.selectors import deals_cache_key_forget

    cache.clear()
    deals_cache_key_forget()
    promotions_memo_forget()
    yield
    cache.clear()
    deals_cache_key_forget()
    promotions_memo_forget()
