"""`carrier_token_create` and `carrier_webhook_secret`: the credential printed once, bad input as one readable line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from allbuy.fulfilment.models import Carrier, CarrierToken
from allbuy.fulfilment.services import carrier_token_check, carrier_webhook_secret
from allbuy.fulfilment.tests.factories import carrier_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def dhl():
    return carrier_create("dhl", ["DE", "AT"], "4.10", name="DHL Parcel")


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_token_is_printed_once_with_both_scopes_by_default(dhl):
    # when
    out, err = _run("carrier_token_create", "dhl", "--label", "label printer")

    # then standard output holds the token alone, so a script can capture it
    token = out.strip()
    assert out.count("\n") == 1
    row = carrier_token_check(token)
    assert row is not None
    assert (row.carrier, row.scopes, row.label) == (dhl, ["shipments:read", "shipments:write"], "label printer")
    assert token not in err
    assert "shown only this once" in err
    assert token not in " ".join(str(v) for v in CarrierToken.objects.values_list("prefix", "digest", "label").get())


def test_a_token_can_be_limited_to_reading(dhl):
    out, _ = _run("carrier_token_create", "dhl", "--scope", "shipments:read", "--scope", "shipments:read")
    row = carrier_token_check(out.strip())
    assert row is not None
    assert row.scopes == ["shipments:read"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "There is no carrier with the code 'nope' (known: dhl)."),
        (["dhl", "--scope", "orders:read"], "Unknown scope 'orders:read': use shipments:read or shipments:write."),
        (["dhl", "--label", "x" * 81], "The label is 81 characters long; at most 80 fit."),
    ],
)
def test_bad_token_requests_are_one_readable_line_and_make_nothing(dhl, args, message):
    with pytest.raises(CommandError) as refused:
        _run("carrier_token_create", *args)
    assert str(refused.value) == message
    assert not CarrierToken.objects.exists()


def test_an_unknown_carrier_without_any_carriers_says_so():
    with pytest.raises(CommandError, match=r"^There is no carrier with the code 'dhl' \(known: none yet\)\.$"):
        _run("carrier_token_create", "dhl")


def test_a_refused_command_prints_one_line_and_no_traceback():
    # given the command as an operator runs it (the scope is refused before the database is needed)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    manage = Path(settings.BASE_DIR) / "manage.py"

    # when
    result = subprocess.run(
        [sys.executable, str(manage), "carrier_token_create", "dhl", "--scope", "everything"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )

    # then
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "CommandError: Unknown scope 'everything': use shipments:read or shipments:write."
    ]
    assert result.stdout == ""


def test_a_webhook_secret_is_printed_once_and_replaces_the_old_one(dhl):
    # when
    first, _ = _run("carrier_webhook_secret", "dhl")
    second, err = _run("carrier_webhook_secret", "dhl")

    # then
    secret = second.strip()
    assert len(secret) >= 40
    assert first.strip() != secret
    stored = Carrier.objects.get(pk=dhl.pk)
    assert secret not in stored.webhook_secret
    assert carrier_webhook_secret(stored) == secret
    assert "the previous one no longer works" in err
    assert secret not in err


def test_a_webhook_secret_for_an_unknown_carrier_is_refused(dhl):
    with pytest.raises(CommandError) as refused:
        _run("carrier_webhook_secret", "DHL ")
    assert str(refused.value) == "There is no carrier with the code 'DHL' (known: dhl)."
    assert Carrier.objects.get(pk=dhl.pk).webhook_secret == ""
