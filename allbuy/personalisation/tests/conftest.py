import pytest

from allbuy.personalisation.tests.wearables import Shop, shop_build
from allbuy.tracking.partitions import partitions_forget


@pytest.fixture(autouse=True)
def _partitions_forgotten():
    # Partitions made in a rolled-back test are gone: the next test must create them again.
    partitions_forget()


@pytest.fixture
def shop() -> Shop:
    return shop_build()
