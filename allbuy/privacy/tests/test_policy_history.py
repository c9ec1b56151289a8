"""Policy versions: the history lists them newest first with readable diffs; old versions stay readable."""

from datetime import timedelta

import pytest
from django.test import Client

from allbuy.core import clock
from allbuy.privacy.models import PolicyVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def version_two() -> PolicyVersion:
    first = PolicyVersion.objects.get(version="1.0")
    body = first.body.replace("## Links to other websites", "## Links to other websites\n\nA brand new sentence about links.")
    body = body.replace("Please read their policies before you give them any information.", "")
    body = body.replace("AllBuy sells phones, wearables and accessories online.", "AllBuy sells gadgets online.")
    return PolicyVersion.objects.create(
        version="2.0",
        body=body,
        summary_of_changes="We explain links better.",
        published_at=clock.now() - timedelta(minutes=5),
    )


def test_history_lists_versions_newest_first_with_summary(client: Client, version_two):
    html = client.get("/privacy/history").content.decode()
    assert html.index('id="v2.0"') < html.index('id="v1.0"')
    assert "We explain links better." in html
    assert "The first version of AllBuy's privacy policy." in html


def test_history_shows_insertions_and_deletions_with_text_labels(client: Client, version_two):
    html = client.get("/privacy/history").content.decode()
    section = html[html.index('id="v2.0"') : html.index('id="v1.0"')]
    assert "Changes from version 1.0" in section
    assert '<ins><span class="visually-hidden">Added: </span>A brand new sentence about links.</ins>' in section
    assert '<del><span class="visually-hidden">Removed: </span>' in section
    assert "Please read their policies before you give them any information." in section
    assert '<ins><span class="visually-hidden">Added: </span>AllBuy sells gadgets online.' in section
    assert "Unchanged lines not shown" in section


def test_an_old_version_stays_readable_and_says_it_was_superseded(client: Client, version_two):
    response = client.get("/privacy/versions/1.0")
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is an earlier version" in html
    assert "Please read their policies before you give them any information." in html
    assert 'href="/privacy/history#v1.0"' in html


def test_the_current_version_is_served_by_its_number_too(client: Client, version_two):
    html = client.get("/privacy/versions/2.0").content.decode()
    assert "The current version" in html
    assert "A brand new sentence about links." in html


def test_unknown_version_is_not_found(client: Client):
    assert client.get("/privacy/versions/7.3").status_code == 404
    assert client.get("/privacy/versions/..%2F..").status_code == 404
