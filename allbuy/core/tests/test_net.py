"""The client address for rate limits: REMOTE_ADDR without a proxy, the trusted hop behind one."""

import pytest
from django.test import RequestFactory


@pytest.fixture
def factory():
    return RequestFactory()


def test_without_a_proxy_the_header_is_ignored(factory, settings):
    from allbuy.core.net import client_ip

    settings.ALLBUY_TRUSTED_PROXIES = 0
    request = factory.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.7"


def test_behind_one_proxy_the_last_hop_is_the_client(factory, settings):
    from allbuy.core.net import client_ip

    settings.ALLBUY_TRUSTED_PROXIES = 1
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert client_ip(request) == "198.51.100.9"  # "1.2.3.4" was written by the client itself


@pytest.mark.parametrize("header", ["", "not-an-ip", " , "])
def test_a_missing_or_forged_header_never_breaks(factory, settings, header):
    from allbuy.core.net import client_ip

    settings.ALLBUY_TRUSTED_PROXIES = 1
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) in ("", "10.0.0.2")
