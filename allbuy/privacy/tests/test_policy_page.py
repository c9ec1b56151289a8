"""The public privacy policy: the current version's text, and tables generated from the data map."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils.html import escape

from allbuy.core import clock
from allbuy.privacy.datamap import DATA_MAP, PURPOSE_TEXT, RECIPIENT_TEXT, RETENTION, Purpose
from allbuy.privacy.models import PolicyVersion
from allbuy.privacy.policy import policy_current, policy_tables

pytestmark = pytest.mark.django_db


def test_version_one_is_published_by_the_migration():
    version = PolicyVersion.objects.get(version="1.0")
    assert version.published_at.isoformat() == "2026-11-01T00:00:00+00:00"
    assert "We do not sell or rent your personal information" in version.body
    current = policy_current()
    assert current is not None
    assert current.version == "1.0"


def test_policy_renders_for_anyone_with_version_date_and_history_link(client: Client):
    response = client.get("/privacy")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Version 1.0" in html
    assert "1 November 2026" in html
    assert 'href="/privacy/history"' in html
    assert '<h2 id="policy-what-we-collect">What we collect</h2>' in html


def test_trailing_slash_redirects_to_the_policy(client: Client):
    response = client.get("/privacy/")
    assert response.status_code == 301
    assert response["Location"] == "/privacy"


def test_tables_cover_every_data_map_entry(client: Client):
    html = client.get("/privacy").content.decode()
    for decl in DATA_MAP:
        assert escape(decl.description[:1].upper() + decl.description[1:]) in html, decl.field
        assert escape(decl.protection[:1].upper() + decl.protection[1:]) in html, decl.field
        assert decl.category in html
    for purpose in Purpose:
        assert escape(PURPOSE_TEXT[purpose][:1].upper() + PURPOSE_TEXT[purpose][1:]) in html
    for text in RECIPIENT_TEXT.values():
        assert escape(text[:1].upper() + text[1:]) in html
    used = {decl.retention for decl in DATA_MAP}
    for name in used:
        assert escape(RETENTION[name].description[:1].upper() + RETENTION[name].description[1:]) in html
    assert "only through a shipping grant" in html.lower()
    assert "Contract" in html  # the legal basis


def test_every_declaration_appears_in_every_table():
    tables = policy_tables()
    collected = {decl.field for group in tables.collected for decl in group.fields}
    assert collected == {decl.field for decl in DATA_MAP}
    for rows in (tables.purposes, tables.recipients, tables.retention, tables.protection, tables.legal_bases):
        assert {decl.field for row in rows for decl in row.fields} == collected


def test_the_page_says_we_do_not_sell_because_no_purpose_is_a_sale(client: Client):
    assert policy_tables().sells_nothing
    html = client.get("/privacy").content.decode()
    assert "We do not sell or rent your personal information." in html
    assert "There is no purpose in our data map for selling or renting personal data" in html


def test_a_scheduled_version_is_not_shown_before_its_time(client: Client):
    PolicyVersion.objects.create(version="9.0", body="Future text.", published_at=clock.now() + timedelta(days=3))
    html = client.get("/privacy").content.decode()
    assert "Version 1.0" in html
    assert "Future text." not in html
    assert client.get("/privacy/versions/9.0").status_code == 404


def test_the_policy_page_costs_a_bounded_number_of_queries(client: Client, django_assert_max_num_queries):
    client.get("/privacy")  # warms the current-version cache
    # one for the policy text, one for the catalog revision behind the header's category menu
    with django_assert_max_num_queries(2):
        assert client.get("/privacy").status_code == 200


def test_the_policy_states_how_long_merchants_and_carriers_see_a_shipping_address(client: Client, settings):
    settings.ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY = 14
    html = client.get("/privacy").content.decode()
    assert "until 14 days after its delivery" in html
    assert "ended at once if you cancel" in html
