"""Activity tracking under consent, in Chromium: the banner, the choices, the visitor cookie, what lands in the database.

Without a choice (or after "Reject all", or with Global Privacy Control) the page script may only add bare page views
to the anonymous per-day counters (PageViewCount); no Event row and no visitor id. With personalisation allowed,
product views become the visitor's events and the home page recommends from them.

The page script sends its batch as soon as the page has loaded, so a grown PageViewCount (or a new Event) is the sign
that it ran; the tests poll the database for that sign before asserting that nothing else was stored.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db.models import Max, QuerySet, Sum
from playwright.sync_api import expect

from allbuy.catalog.models import Category, Product
from allbuy.tracking.models import Event, EventKind, PageViewCount
from allbuy.tracking.services import events_allowance_reset
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSENT = "allbuy_consent"
VISITOR = "allbuy_vid"
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def seeded(media_on_disk: Any) -> Iterator[None]:
    """The demo shop (with a week of synthetic browsing by made-up visitors), and no page cache or event allowance
    left over from another test's database."""
    caches["default"].clear()
    events_allowance_reset()
    call_command("seed_demo", "--quiet")
    yield
    caches["default"].clear()
    events_allowance_reset()


@pytest.fixture
def new_events(seeded: None) -> Callable[[], QuerySet[Event]]:
    """The events stored after the demo's own synthetic browsing (made-up visitors), i.e. during the test."""
    last = Event.objects.aggregate(last=Max("id"))["last"] or 0
    return lambda: Event.objects.filter(pk__gt=last)


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Pages in contexts of their own (a phone, a browser sending GPC), closed after the test; no JavaScript errors."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        opened = context.new_page()
        opened.on("pageerror", lambda exc: errors.append(str(exc)))
        return opened

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def cookies(page: Any) -> dict[str, dict[str, Any]]:
    return {cookie["name"]: cookie for cookie in page.context.cookies()}


def page_views(path: str | None = None) -> int:
    """Page views counted so far today (anonymously), on `path` or on every path."""
    rows = PageViewCount.objects.filter(path=path) if path else PageViewCount.objects.all()
    return rows.aggregate(total=Sum("views"))["total"] or 0


def wait_for_counts(before: dict[str, int]) -> None:
    """Wait until each path of `before` has one more page view than it had: the script ran on each of those pages."""
    wait_until(
        lambda: all(page_views(path) > count for path, count in before.items()),
        f"a page view to be counted on each of {sorted(before)}",
    )


def wait_until(condition: Callable[[], bool], what: str, *, seconds: float = 6.0) -> None:
    """Poll the database (the live server writes from its own thread) until `condition` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.1)


def banner(page: Any) -> Any:
    return page.get_by_role("region", name="Your privacy choices")


def tab_to(page: Any, name: str, *, presses: int = 80) -> None:
    """Press Tab from the top of the page until the button called `name` has the keyboard focus."""
    page.locator("body").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("n => document.activeElement && document.activeElement.innerText.trim() === n", name):
            return
    pytest.fail(f"{presses} presses of Tab never reached {name!r}")


def product_url(live_server: Any, product: Product) -> str:
    return f"{live_server.url}/products/{product.slug}/"


def huawei_watches() -> list[Product]:
    return list(
        Product.objects.filter(brand__slug="huawei", category__slug="smartwatches", is_active=True)
        .select_related("category")
        .order_by("name")
    )


def test_a_fresh_visitor_sees_the_banner_and_is_not_tracked(new_events, live_server, page):
    watch = huawei_watches()[0]
    browsed = ["/", "/categories/smartwatches/", f"/products/{watch.slug}/"]
    before = {path: page_views(path) for path in browsed}

    # given a visitor who has never chosen, on the home page
    page.goto(live_server.url + "/")

    # then the banner offers the three choices, equally
    region = banner(page)
    expect(region).to_be_visible()
    for name in ("Accept all", "Reject all"):
        expect(region.get_by_role("button", name=name)).to_be_visible()
    expect(region.get_by_role("link", name="Choose")).to_have_attribute("href", re.compile(r"^/privacy/cookies\?next=%2F$"))
    screenshot(page, "tracking-1-banner")

    # and "Accept all" can be reached with the keyboard alone (nothing is chosen by reaching it)
    tab_to(page, "Accept all")
    expect(region.get_by_role("button", name="Accept all")).to_be_focused()
    assert not {CONSENT, VISITOR} & cookies(page).keys()

    # when the visitor browses to a category and a product
    page.get_by_role("link", name="Smartwatches").first.click()
    page.wait_for_url(re.compile(r"/categories/smartwatches/"))
    expect(banner(page)).to_be_visible()
    page.goto(product_url(live_server, watch))
    expect(page.locator(f"[data-product-id='{watch.pk}']")).to_have_count(1)
    expect(banner(page)).to_be_visible()
    screenshot(page, "tracking-1-product-undecided")

    # then the page script ran on each page (a bare page view counted), yet neither a choice nor a visitor id is in a cookie
    wait_for_counts(before)
    jar = cookies(page)
    assert CONSENT not in jar, jar.keys()
    assert VISITOR not in jar, jar.keys()
    # and no event exists: nothing about this visitor is stored
    time.sleep(0.5)
    assert not new_events().exists()

    # when they finally accept all, with the keyboard
    tab_to(page, "Accept all")
    page.keyboard.press("Enter")

    # then the banner goes, the choice and a visitor id are set, and from the next page on their views are events
    expect(banner(page)).to_have_count(0)
    jar = cookies(page)
    assert {CONSENT, VISITOR} <= jar.keys(), jar.keys()
    assert not new_events().exists()  # the page the choice was made on is not recorded after the fact
    page.reload()
    expect(banner(page)).to_have_count(0)
    wait_until(
        lambda: new_events().filter(kind=EventKind.PRODUCT_VIEW, product_id=watch.pk).exists(),
        "the product view after accepting to be recorded",
    )


def test_reject_all_sets_only_the_choice_and_records_no_events(new_events, live_server, page):
    # given the banner on the home page
    page.goto(live_server.url + "/")
    region = banner(page)
    expect(region).to_be_visible()

    # when the visitor rejects all
    region.get_by_role("button", name="Reject all").click()

    # then the banner goes away, in place, and stays away; the keyboard focus goes on from the page's content
    expect(region).to_have_count(0)
    assert page.url == live_server.url + "/"
    expect(page.locator("#main")).to_be_focused()
    jar = cookies(page)
    assert CONSENT in jar, jar.keys()
    assert jar[CONSENT]["httpOnly"] is True
    assert jar[CONSENT]["sameSite"] == "Lax"
    assert VISITOR not in jar
    page.reload()
    expect(banner(page)).to_have_count(0)
    screenshot(page, "tracking-2-rejected")

    # when they browse three pages, one of them a product
    watch = huawei_watches()[0]
    browsed = ["/categories/wearables/", f"/products/{watch.slug}/", "/search"]
    before = {path: page_views(path) for path in browsed}
    page.goto(live_server.url + "/categories/wearables/")
    page.goto(product_url(live_server, watch))
    expect(page.locator(f"[data-product-id='{watch.pk}']")).to_have_count(1)
    page.goto(live_server.url + "/search?q=huawei+watch")
    expect(banner(page)).to_have_count(0)

    # then the script ran on each (the views were counted, without an identifier), yet no event and no visitor id exist
    wait_for_counts(before)
    time.sleep(0.5)
    assert not new_events().exists()
    assert VISITOR not in cookies(page)

    # and the footer's "Cookie settings" shows the choice: everything off
    page.get_by_role("contentinfo").get_by_role("link", name="Cookie settings").click()
    page.wait_for_url(re.compile(r"/privacy/cookies"))
    for group in ("Analytics", "Personalisation", "Marketing"):
        expect(page.get_by_label(group)).not_to_be_checked()
    screenshot(page, "tracking-2-settings-after-reject")


def test_a_banner_choice_still_saves_after_the_cookies_were_cleared(new_events, live_server, page):
    # given the banner, and the browser's cookies cleared while the page was open (the banner needs no CSRF token:
    # the shop checks where the post comes from instead)
    page.goto(live_server.url + "/")
    expect(banner(page)).to_be_visible()
    page.context.clear_cookies()

    # when the visitor rejects all
    with page.expect_response(lambda response: response.url.endswith("/privacy/cookies")) as answer:
        banner(page).get_by_role("button", name="Reject all").click()

    # then it is saved
    assert answer.value.status == 200
    expect(banner(page)).to_have_count(0)
    assert CONSENT in cookies(page)


def test_a_refused_banner_choice_keeps_the_banner_and_opens_the_settings(new_events, live_server, page):
    # given the banner, and a shop that refuses the post (as it would a cross-site or malformed one)
    page.goto(live_server.url + "/")
    expect(banner(page)).to_be_visible()
    page.route(
        "**/privacy/cookies",
        lambda route: route.fulfill(status=403, body="Refused") if route.request.method == "POST" else route.continue_(),
    )

    # when the visitor rejects all
    with page.expect_response(lambda response: response.url.endswith("/privacy/cookies")) as refused:
        banner(page).get_by_role("button", name="Reject all").click()
    assert refused.value.status == 403
    page.unroute("**/privacy/cookies")

    # then the banner does not vanish as if the choice were saved: the cookie settings open, nothing chosen yet
    page.wait_for_url(re.compile(r"/privacy/cookies\?next=%2F$"))
    expect(page.get_by_role("heading", name="Cookie settings")).to_be_visible()
    expect(banner(page)).to_be_visible()
    assert CONSENT not in cookies(page)
    screenshot(page, "tracking-2b-refused-then-settings")

    # and rejecting there is saved, and brings them back
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name="Reject all").click()
    page.wait_for_url(live_server.url + "/")
    expect(banner(page)).to_have_count(0)
    jar = cookies(page)
    assert CONSENT in jar, jar.keys()
    assert VISITOR not in jar, jar.keys()
    assert not new_events().exists()


def test_personalisation_only_then_recommendations_from_the_watches_viewed(new_events, live_server, page):
    watches = huawei_watches()
    assert len(watches) >= 5, "the demo catalog should hold several Huawei smartwatches"
    watched = watches[:3]
    wearables = watched[0].category
    assert wearables.parent is not None
    wearable_categories = {
        wearables.pk,
        wearables.parent_id,
        *Category.objects.filter(parent_id=wearables.parent_id).values_list("pk", flat=True),
    }

    # given the banner's "Choose" link, to the cookie settings page
    page.goto(live_server.url + "/")
    banner(page).get_by_role("link", name="Choose").click()
    page.wait_for_url(re.compile(r"/privacy/cookies\?next=%2F"))
    expect(page.get_by_role("heading", name="Cookie settings")).to_be_visible()
    for group in ("Analytics", "Personalisation", "Marketing"):
        expect(page.get_by_label(group)).not_to_be_checked()

    # when the visitor ticks personalisation only and saves
    page.get_by_label("Personalisation").check()
    screenshot(page, "tracking-3-settings-personalisation")
    with page.expect_navigation():
        page.get_by_role("button", name="Save my choices").click()

    # then they are back on the home page without the banner, with a visitor id the page's script cannot read
    page.wait_for_url(live_server.url + "/")
    expect(banner(page)).to_have_count(0)
    jar = cookies(page)
    assert CONSENT in jar, jar.keys()
    assert VISITOR in jar, jar.keys()
    assert jar[VISITOR]["httpOnly"] is True
    assert jar[VISITOR]["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find(VISITOR) == -1

    # when they look at three Huawei watches
    for watch in watched:
        page.goto(product_url(live_server, watch))
        expect(page.get_by_role("heading", level=1)).to_contain_text(watch.name)

    # then the three product views are the visitor's events
    def views_recorded() -> bool:
        return set(new_events().filter(kind=EventKind.PRODUCT_VIEW).values_list("product_id", flat=True)) >= {
            w.pk for w in watched
        }

    wait_until(views_recorded, "the three product views to be recorded")
    assert new_events().values("visitor").distinct().count() == 1
    # stored under a pseudonym (a keyed hash), never the cookie's value
    pseudonym = new_events().values_list("visitor", flat=True).get(kind=EventKind.PRODUCT_VIEW, product_id=watched[0].pk)
    assert re.fullmatch(r"[0-9a-f]{32}", pseudonym)
    assert pseudonym != jar[VISITOR]["value"]

    # when they open the home page again
    page.goto(live_server.url + "/")

    # then it recommends other wearables, none of those watched
    section = page.locator("section").filter(has=page.get_by_role("heading", name="Recommended for you", exact=True))
    expect(section).to_have_count(1)
    expect(section).to_be_visible()
    section.scroll_into_view_if_needed()
    screenshot(page, "tracking-3-recommended-for-you")
    hrefs = section.locator("a[href^='/products/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    slugs = {href.split("/")[2] for href in hrefs}
    assert slugs, "the section shows no product"
    shown = list(Product.objects.filter(slug__in=slugs).select_related("category"))
    assert len(shown) == len(slugs)
    assert not {w.slug for w in watched} & slugs, "a watch the visitor viewed is recommended back"
    not_wearables = [p.name for p in shown if p.category_id not in wearable_categories]
    assert not not_wearables, f"recommended beyond wearables: {not_wearables}"
    expect(page.get_by_role("heading", name="Popular right now")).to_have_count(0)


def test_a_browser_sending_gpc_is_honoured(new_events, live_server, new_page):
    gpc = new_page(extra_http_headers={"Sec-GPC": "1"})
    watch = huawei_watches()[0]
    before = {path: page_views(path) for path in ("/", f"/products/{watch.slug}/")}

    # given a browser that sends Global Privacy Control, on the home page
    gpc.goto(live_server.url + "/")

    # then the banner says the signal is honoured, and offers to keep everything off or to choose
    region = banner(gpc)
    expect(region).to_be_visible()
    expect(region).to_contain_text("Global Privacy Control")
    expect(region).to_contain_text("we honour it")
    expect(region.get_by_role("button", name="Keep them off")).to_be_visible()
    expect(region.get_by_role("link", name="Choose")).to_be_visible()
    expect(region.get_by_role("button", name="Accept all")).to_have_count(0)
    screenshot(gpc, "tracking-4-gpc-banner")

    # when the visitor opens a product page
    gpc.goto(product_url(live_server, watch))
    expect(gpc.locator(f"[data-product-id='{watch.pk}']")).to_have_count(1)

    # then only the bare page views are counted: no event, no cookie
    wait_for_counts(before)
    time.sleep(0.5)
    assert not new_events().exists()
    jar = cookies(gpc)
    assert not {CONSENT, VISITOR} & jar.keys(), jar.keys()

    # and the shop declares that it honours the signal
    response = gpc.request.get(live_server.url + "/.well-known/gpc.json")
    assert response.ok
    assert response.headers["content-type"].startswith("application/json")
    declaration = response.json()
    assert declaration["gpc"] is True
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", declaration["lastUpdate"])

    # and keeping them off records the choice, still without a visitor id or events
    banner(gpc).get_by_role("button", name="Keep them off").click()
    expect(banner(gpc)).to_have_count(0)
    jar = cookies(gpc)
    assert CONSENT in jar, jar.keys()
    assert VISITOR not in jar, jar.keys()
    gpc.reload()
    expect(banner(gpc)).to_have_count(0)
    assert not new_events().exists()


def test_the_banner_fits_a_phone(seeded, live_server, new_page):
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)

    # given the home page at 375 px
    phone.goto(live_server.url + "/")

    # then the banner's three choices are on the screen, and nothing scrolls sideways
    region = banner(phone)
    expect(region).to_be_visible()
    choices = [
        region.get_by_role("button", name="Accept all"),
        region.get_by_role("button", name="Reject all"),
        region.get_by_role("link", name="Choose"),
    ]
    for choice in choices:
        expect(choice).to_be_visible()
        box = choice.bounding_box()
        assert box is not None
        assert 0 <= box["x"] <= box["x"] + box["width"] <= PHONE["width"], box
    scroll_width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the page scrolls sideways: {scroll_width}px wide at 375px"
    screenshot(phone, "tracking-5-phone-banner")

    # and a tap on "Reject all" works there too
    choices[1].tap()
    expect(region).to_have_count(0)
    assert CONSENT in cookies(phone)
