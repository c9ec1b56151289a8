"""`manage.py recommendations_rebuild` and the scheduled task."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from allbuy.catalog.models import Product
from allbuy.catalog.tests.factories import ProductFactory
from allbuy.personalisation import services
from allbuy.personalisation.models import Neighbour, RebuildState
from allbuy.personalisation.tasks import recommendations_rebuild_task
from allbuy.tracking.models import Event, EventKind
from allbuy.tracking.partitions import event_partition_ensure, partitions_forget

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _partitions_forgotten():
    partitions_forget()


@pytest.fixture
def viewed_together():
    a: Product = ProductFactory.create()
    b: Product = ProductFactory.create()
    at = datetime.now(tz=UTC) - timedelta(minutes=10)
    event_partition_ensure(at.date())
    for i, product in enumerate((a, b)):
        Event.objects.create(
            day=at.date(),
            occurred_at=at + timedelta(seconds=i),
            visitor="f" * 32,
            kind=EventKind.PRODUCT_VIEW,
            product_id=product.pk,
        )
    return a, b


def run(*arguments):
    out = StringIO()
    call_command("recommendations_rebuild", *arguments, stdout=out)
    return out.getvalue()


def test_full_prints_the_report_on_one_line(viewed_together):
    output = run("--full")
    assert output.count("\n") == 1
    assert output.startswith("full rebuild: 2 events read, 1 sessions, 1 pairs, 2 products with neighbours, ")
    assert output.rstrip().endswith("neighbours changed")
    assert Neighbour.objects.count() == 2


def test_without_full_only_new_events_are_read(viewed_together):
    run("--full")
    output = run()
    assert output.startswith("incremental rebuild: 0 events read, 0 sessions, 0 pairs, 2 products with neighbours, ")
    assert output.rstrip().endswith("no neighbour changed")
    assert RebuildState.objects.get().last_incremental_at is not None


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (services.RebuildConflict("Another rebuild of the recommendations ran meanwhile."), "Another rebuild"),
        (
            DatabaseError("relation does not exist\nLINE 1: SELECT ..."),
            "The database refused the rebuild: relation does not exist",
        ),
    ],
)
def test_a_failure_is_one_readable_line(monkeypatch, error, says):
    def fail(**kwargs):
        raise error

    monkeypatch.setattr("allbuy.personalisation.management.commands.recommendations_rebuild.recommendations_rebuild", fail)
    with pytest.raises(CommandError) as caught:
        run("--full")
    assert str(caught.value).startswith(says)
    assert "\n" not in str(caught.value)


def test_the_task_rebuilds_and_a_conflict_is_logged_not_raised(viewed_together, monkeypatch, caplog):
    recommendations_rebuild_task.delay(full=True)
    assert Neighbour.objects.count() == 2

    def conflict(**kwargs):
        raise services.RebuildConflict("Another rebuild ran meanwhile.")

    monkeypatch.setattr("allbuy.personalisation.tasks.recommendations_rebuild", conflict)
    assert recommendations_rebuild_task(full=False) == "Another rebuild ran meanwhile."
    assert "skipped" in caplog.text


def test_beat_runs_the_incremental_rebuild_every_ten_minutes_and_the_full_one_daily():
    schedule = settings.CELERY_BEAT_SCHEDULE
    task = "allbuy.personalisation.tasks.recommendations_rebuild_task"
    assert schedule["recommendations-incremental"] == {"task": task, "schedule": 600.0, "kwargs": {"full": False}}
    assert schedule["recommendations-full"] == {"task": task, "schedule": 86400.0, "kwargs": {"full": True}}
    assert recommendations_rebuild_task.name == task
