"""Browser journeys: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Without Chromium or Playwright these tests skip and say so; with ALLBUY_REQUIRE_BROWSER=1 (CI) they fail.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.facebook_standin import FacebookStandIn, running

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def _browser_missing_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (make test installs requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("ALLBUY_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser journeys are required (ALLBUY_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(f"SKIPPED browser journey: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def media_on_disk(settings: Any, tmp_path: Path) -> Path:
    """Store generated images on disk so the live server can serve them to the browser."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return settings.MEDIA_ROOT


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def facebook_standin() -> Iterator[FacebookStandIn]:
    """Facebook's OAuth dialog, token endpoint and Graph API, served on the loopback port the test settings reserved."""
    from django.conf import settings

    sock = getattr(settings, "FACEBOOK_STANDIN_SOCKET", None)
    if sock is None:
        pytest.fail("the Facebook stand-in needs config.settings.test (it reserves the stand-in's port)")
    with running(app_id=settings.FACEBOOK_APP_ID, app_secret=settings.FACEBOOK_APP_SECRET, sock=sock) as standin:
        yield standin


@pytest.fixture
def facebook(facebook_standin: FacebookStandIn) -> Iterator[FacebookStandIn]:
    """The stand-in with no persona, codes, tokens or recorded requests left over from another test."""
    facebook_standin.reset()
    yield facebook_standin
    facebook_standin.reset()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def fresh_counters() -> Iterator[None]:
    """Sign-in lockout and coupon-failure counters live in a database cache table that a test's flush does not empty."""
    from django.conf import settings
    from django.core.cache import caches

    for alias in (settings.AXES_CACHE, "ratelimit"):
        caches[alias].clear()
    yield
    for alias in (settings.AXES_CACHE, "ratelimit"):
        caches[alias].clear()
