"""The public privacy policy says what the server (access) logs hold and how long they are kept."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_policy_lists_server_logs_in_its_contents(client: Client):
    html = client.get("/privacy").content.decode()

    assert '<a href="#server-logs">Server logs</a>' in html
    assert '<h2 id="server-logs">Server logs</h2>' in html
    for held in ("without its query string", "personal identifiers", "request id", "IPv4", "IPv6", "never holds cookies"):
        assert held in html


def test_the_policy_shows_the_access_log_retention_from_settings(client: Client, settings):
    settings.ALLBUY_ACCESS_LOG_DAYS = 17

    html = client.get("/privacy").content.decode()

    assert "kept for 17 days and then deleted" in html
