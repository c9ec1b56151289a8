"""Production settings: no insecure defaults, and Django's deployment checklist passes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
GOOD_KEY = "k" * 20 + "A7#d9Lq2!xZ0pR4vW8yB1nM3cF6hJ5tG"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests in this process; a deployment never has it.
    ours = {
        "SECRET_KEY",
        "DJANGO_SETTINGS_MODULE",
        "ALLOWED_HOSTS",
        "ALLBUY_MASTER_KEY",
        "ALLBUY_MASTER_KEY_FILE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "ALLBUY_PAYMENT_WEBHOOK_SECRET",
        "ALLBUY_PAYMENT_GATEWAY",
        "ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY",
    }
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


MASTER_KEY = "1:" + "QUJD" * 10 + "QUI="  # 32 bytes


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", ALLOWED_HOSTS="shop.example.com", ALLBUY_MASTER_KEY=MASTER_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = manage("check", SECRET_KEY="short", ALLOWED_HOSTS="shop.example.com", ALLBUY_MASTER_KEY=MASTER_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_the_deploy_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="shop.example.com",
        ALLBUY_MASTER_KEY=MASTER_KEY,
        ALLBUY_PAYMENT_WEBHOOK_SECRET="whsec_" + "9f" * 20,
        ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_master_key():
    result = manage("check", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0
    assert "ALLBUY_MASTER_KEY" in result.stderr
