"""Fixtures shared by every app's tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    # Per-process memos keyed by database ids or revisions: each test's database starts again from the same ones.
    from allbuy.cart.quoting import promotions_memo_forget
    from allbuy.deals.selectors import deals_cache_key_forget
    from allbuy.privacy.crypto import key_cache_clear
    from allbuy.tracking.services import products_existing_forget

    cache.clear()
    deals_cache_key_forget()
    promotions_memo_forget()
    key_cache_clear()
    products_existing_forget()
    yield
    cache.clear()
    deals_cache_key_forget()
    promotions_memo_forget()
    key_cache_clear()
    products_existing_forget()
