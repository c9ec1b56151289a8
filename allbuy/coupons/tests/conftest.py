import pytest

from allbuy.accounts.models import User
from allbuy.accounts.tests.factories import customer_create
from allbuy.privacy import crypto


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    # Data keys are cached per process by id; each test's database starts again from the same ids.
    crypto.key_cache_clear()
    yield
    crypto.key_cache_clear()


@pytest.fixture
def customer() -> User:
    return customer_create("ada@example.org")
