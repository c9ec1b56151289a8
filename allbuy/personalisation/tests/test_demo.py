"""The demo shop's synthetic browsing: written once, and it gives the product pages their neighbours."""

import pytest

from allbuy.catalog.demo import demo_catalog_seed
from allbuy.personalisation.demo import demo_browsing_seed
from allbuy.personalisation.models import Neighbour
from allbuy.tracking.models import Event, VisitorLink

pytestmark = pytest.mark.django_db


def test_demo_browsing_is_seeded_once_and_feeds_recommendations():
    demo_catalog_seed()
    report = demo_browsing_seed(events=3_000)
    assert report is not None
    assert report.events_read == Event.objects.count() == 3_000
    assert Neighbour.objects.exists()
    assert VisitorLink.objects.count() == 0  # made-up visitors belong to no account
    assert demo_browsing_seed(events=3_000) is None
    assert Event.objects.count() == 3_000
