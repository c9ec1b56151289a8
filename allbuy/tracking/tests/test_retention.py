"""Raw events disappear after the retention period: whole day partitions on PostgreSQL, by date on SQLite."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from allbuy.core import clock
from allbuy.tracking.ingest import EventRow
from allbuy.tracking.models import Event, VisitorLink
from allbuy.tracking.partitions import event_partitions, partition_name
from allbuy.tracking.services import events_purge, events_store
from allbuy.tracking.tests.conftest import pseudonym

pytestmark = pytest.mark.django_db(transaction=True)


def _event_on(day_offset: int) -> None:
    moment = clock.now() - timedelta(days=day_offset)
    row = EventRow(moment.date(), moment, 1, None, "/", "", "", 0, None, None, None)
    events_store([row], visitor=pseudonym(), device=0)


def test_old_events_disappear_recent_ones_stay(settings):
    settings.ALLBUY_EVENT_RETENTION_DAYS = 30
    for offset in (0, 1, 29, 31, 45, 200):
        _event_on(offset)
    assert Event.objects.count() == 6

    report = events_purge()

    kept = sorted((clock.now().date() - day).days for day in Event.objects.values_list("day", flat=True))
    assert kept == [0, 1, 29]
    if connection.vendor == "postgresql":
        assert report.partitions_dropped == 3
        names = event_partitions()
        assert partition_name(clock.now().date() - timedelta(days=31)) not in names
        assert partition_name(clock.now().date() + timedelta(days=2)) in names  # made ahead of time
    else:
        assert report.events_deleted == 3


def test_stale_visitor_links_go_with_the_cookie_lifetime(settings, django_user_model):
    from allbuy.accounts.tests.factories import customer_create

    customer = customer_create("grace@example.org")
    VisitorLink.objects.create(
        visitor="a" * 32, user=customer, linked_at=clock.now() - timedelta(days=settings.ALLBUY_VISITOR_ID_DAYS + 1)
    )
    VisitorLink.objects.create(visitor="b" * 32, user=customer, linked_at=clock.now())
    events_purge()
    assert list(VisitorLink.objects.values_list("visitor", flat=True)) == ["b" * 32]


def test_purge_command(capsys, settings):
    settings.ALLBUY_EVENT_RETENTION_DAYS = 10
    _event_on(11)
    call_command("events_purge")
    assert "Events before" in capsys.readouterr().out
    assert Event.objects.count() == 0


@pytest.mark.parametrize("days", ["0", "abc", "-3", "99999"])
def test_purge_command_refuses_bad_days(days):
    with pytest.raises(CommandError, match="--days must be a whole number"):
        call_command("events_purge", "--days", days)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
def test_only_a_batch_of_its_own_commits_without_waiting_for_the_disk():
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    # a batch of the events endpoint: its own transaction, committed asynchronously
    with CaptureQueriesContext(connection) as alone:
        _event_on(0)
    assert any("synchronous_commit" in query["sql"] for query in alone.captured_queries)
    # inside another transaction (a checkout recording its purchase), the outer commit stays synchronous
    with CaptureQueriesContext(connection) as inside, transaction.atomic():
        _event_on(0)
    assert not any("synchronous_commit" in query["sql"] for query in inside.captured_queries)
    assert Event.objects.count() == 2
