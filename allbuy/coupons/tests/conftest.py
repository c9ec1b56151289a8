import pytest

from allbuy.accounts.models import User
from allbuy.accounts.tests.factories import customer_create


@pytest.fixture
def customer() -> User:
    return customer_create("ada@example.org")
