"""Production refuses the development webhook secret, and the test gateway unless it is explicitly allowed."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BASE = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k" * 20 + "A7#d9Lq2!xZ0pR4vW8yB1nM3cF6hJ5tG",
    "ALLOWED_HOSTS": "shop.example.com",
    "ALLBUY_MASTER_KEY": "1:" + "QUJD" * 10 + "QUI=",
}
WEBHOOK_SECRET = "whsec_" + "9f" * 20


def check(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # Everything the deployment sets is given here; nothing leaks in from the developer's environment.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ALLBUY_", "DJANGO_")) and k not in BASE}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env={**clean, **BASE, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_the_development_webhook_secret():
    result = check(ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY="1")
    assert result.returncode != 0
    assert "ALLBUY_PAYMENT_WEBHOOK_SECRET must be set" in result.stderr
    result = check(
        ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY="1", ALLBUY_PAYMENT_WEBHOOK_SECRET="allbuy-development-only-payment-webhook-secret"
    )
    assert "ALLBUY_PAYMENT_WEBHOOK_SECRET must be set" in result.stderr


def test_production_refuses_the_test_gateway_unless_allowed():
    result = check(ALLBUY_PAYMENT_WEBHOOK_SECRET=WEBHOOK_SECRET)
    assert result.returncode != 0
    assert "ALLBUY_PAYMENT_GATEWAY is the test gateway" in result.stderr
    allowed = check(ALLBUY_PAYMENT_WEBHOOK_SECRET=WEBHOOK_SECRET, ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY="1")
    assert allowed.returncode == 0, allowed.stderr


def test_production_with_a_real_gateway_and_secret_passes_the_deploy_checklist():
    result = check(
        "--deploy",
        "--fail-level",
        "WARNING",
        ALLBUY_PAYMENT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        ALLBUY_PAYMENT_GATEWAY="allbuy.payments.tests.test_gateway_loading.ApprovingGateway",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
