import pytest
from django.test import Client

from allbuy.accounts.models import User
from allbuy.accounts.tests.factories import customer_create

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def customer() -> User:
    return customer_create("ada@example.org", full_name="Ada Lovelace", phone="+442071234567")


@pytest.fixture
def signed_in(client: Client, customer: User) -> Client:
    client.force_login(customer, backend=MODEL_BACKEND)
    return client
