"""The authorization matrix: every role × every page and API endpoint that touches orders, shipments or addresses.

Each cell is requested for real against one world: customer A's order from merchants X and Y (to Germany, so
both parcels go with carrier P), customer B's order from X and Y (to Austria: carrier Q). A cell expects a status
(200, 303, 401, 403, 404, …) or a redirect to a sign-in page, and no response may carry personal data its role
must not see (another customer's name, street or email; a merchant's or carrier's only on their own shipment).

`test_every_order_shipment_and_address_route_has_a_row` walks the URL resolver and the API's OpenAPI schema: a
new route whose path mentions orders, checkout, shipments, addresses, merchants, carriers or payments fails the
suite until it gets a row here (or a reasoned place in ALLOWED_WITHOUT_ROW).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver

from allbuy.accounts.models import Address, User
from allbuy.accounts.tests.conftest import MODEL_BACKEND
from allbuy.accounts.tests.factories import customer_create
from allbuy.api.api import api
from allbuy.core import clock
from allbuy.fulfilment.models import Carrier, CarrierToken, Merchant, Shipment, ShipmentStatus, StaffRole
from allbuy.fulfilment.services import carrier_token_create, merchant_actor, shipment_move
from allbuy.fulfilment.tests.factories import (
    carrier_create,
    merchant_create,
    order_paid_from,
    shipment_of,
    staff_add,
    variant_of,
)
from allbuy.orders.models import Order
from allbuy.orders.tests.factories import NOW
from allbuy.privacy.services import Actor

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "customer_a", "customer_b", "merchant_x", "merchant_y", "carrier_p", "carrier_q", "allbuy_staff")
LOGIN = "login"  # 302 to the shop's sign-in page
ADMIN_LOGIN = "admin-login"  # 302 to the admin's sign-in page
PATTERN = re.compile(r"order|checkout|shipment|address|merchant|carrier|payment", re.IGNORECASE)

A = {"email": "ada.alpha@example.org", "recipient_name": "Ada Alpha", "line1": "Alphastraße 11"}
B = {"email": "bea.beta@example.org", "recipient_name": "Bea Beta", "line1": "Betagasse 22", "country": "AT"}


def expect(anonymous, customer_a, customer_b, merchant_x, merchant_y, carrier_p, carrier_q, allbuy_staff):
    return dict(
        zip(ROLES, (anonymous, customer_a, customer_b, merchant_x, merchant_y, carrier_p, carrier_q, allbuy_staff), strict=False)
    )


@dataclass
class World:
    order_a: Order
    order_b: Order
    x: Merchant
    y: Merchant
    p: Carrier
    q: Carrier
    users: dict[str, User]
    tokens: dict[str, str]
    address_a: Address
    product_x: int

    @property
    def sx_a(self) -> Shipment:  # X's parcel of A's order, carrier P
        return shipment_of(self.order_a, self.x)

    @property
    def sx_b(self) -> Shipment:  # X's parcel of B's order, carrier Q
        return shipment_of(self.order_b, self.x)


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def world() -> World:
    x, y = merchant_create("Xenon Shop"), merchant_create("Ypsilon Store")
    p = carrier_create("pparcel", ["DE"], "3.90", name="P Parcel")
    q = carrier_create("qpost", [], "7.50", name="Q Post")
    product_x = variant_of(x)
    order_a = order_paid_from(merchants={x: product_x, y: None}, **A)
    order_b = order_paid_from(merchants={x: None, y: None}, key="checkout-b", **B)
    users = {"customer_a": order_a.user, "customer_b": order_b.user}
    for role, merchant in (("merchant_x", x), ("merchant_y", y)):
        users[role] = customer_create(f"{role}@merchants.example")
        staff_add(merchant, users[role], role=StaffRole.OWNER)
    users["allbuy_staff"] = customer_create("staff@allbuy.example", is_staff=True, is_superuser=True)
    scopes = ["shipments:read", "shipments:write"]
    tokens = {
        "carrier_p": carrier_token_create(carrier=p, scopes=scopes),
        "carrier_q": carrier_token_create(carrier=q, scopes=scopes),
    }
    address_a = Address.objects.filter(user=order_a.user).get()
    return World(order_a, order_b, x, y, p, q, users, tokens, address_a, product_x.product_id)


def client_for(world: World, role: str) -> Client:
    if role in world.tokens:  # a carrier: its API token, and no session
        return Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    client = Client()
    if role in world.users:
        client.force_login(world.users[role], backend=MODEL_BACKEND)
    return client


@dataclass(frozen=True)
class Row:
    name: str
    route: str  # the resolver's pattern, as `test_every_order_shipment_and_address_route_has_a_row` finds it
    method: str
    url: Callable[[World], str]
    expected: dict[str, object]
    data: Callable[[World], dict[str, Any]] | None = None
    json: bool = False
    api: str = ""  # the OpenAPI path, for API rows
    setup: Callable[[World], None] | None = None
    # Personal data a role may see in this row's answer, besides its own: {role: [customer keys "a"/"b"]}.
    sees: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _hand_over(world: World) -> None:
    shipment = world.sx_a
    shipment_move(shipment=shipment, to=ShipmentStatus.PACKED, by=merchant_actor(world.x), now=NOW)
    shipment_move(shipment=shipment, to=ShipmentStatus.HANDED_OVER, by=merchant_actor(world.x), now=NOW)


def _n(world: World) -> str:
    return world.order_a.number


# Signed in, no cart: the checkout sends you to the cart (303); signed out, to the sign-in page.
SIGNED_IN_303 = expect(LOGIN, 303, 303, 303, 303, LOGIN, LOGIN, 303)
# Customer A's own order: A only; anyone else signed in finds nothing (404); carriers have no session.
A_ONLY = expect(LOGIN, 200, 404, 404, 404, LOGIN, LOGIN, 404)
# A page about the signed-in person's own things.
OWN_PAGE = expect(LOGIN, 200, 200, 200, 200, LOGIN, LOGIN, 200)
# Merchant portal: staff of a merchant; others signed in get 403, signed-out people (carriers too) sign in.
PORTAL_OWN = expect(LOGIN, 403, 403, 200, 200, LOGIN, LOGIN, 403)
PORTAL_X_ONLY = expect(LOGIN, 403, 403, 200, 404, LOGIN, LOGIN, 403)
# Session API: 401 without a session (carriers' tokens are not sessions).
API_A_ONLY = expect(401, 200, 404, 404, 404, 401, 401, 404)
# Carrier API: a token only; P's shipment is P's, Q gets 403 (the "wrong carrier → 403").
CARRIER_P_ONLY = expect(401, 401, 401, 401, 401, 200, 403, 401)
# AllBuy's admin: staff only.
ADMIN = expect(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)
ADMIN_REDIRECT = expect(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 302)

ROWS: list[Row] = [
    # --- checkout and the customer's orders (pages) ---
    Row("cart proceed", "cart/checkout/", "POST", lambda w: "/cart/checkout/", expect(303, 303, 303, 303, 303, 303, 303, 303)),
    Row("checkout", "checkout/", "GET", lambda w: "/checkout/", SIGNED_IN_303),
    Row(
        "checkout place (no cart)",
        "checkout/",
        "POST",
        lambda w: "/checkout/",
        expect(LOGIN, 400, 400, 400, 400, LOGIN, LOGIN, 400),
    ),
    Row("checkout review", "checkout/review/", "GET", lambda w: "/checkout/review/", SIGNED_IN_303),
    Row("order list", "orders/", "GET", lambda w: "/orders/", OWN_PAGE),
    Row("order detail", "orders/<str:number>/", "GET", lambda w: f"/orders/{_n(w)}/", A_ONLY, sees={"customer_a": ("a",)}),
    Row("order cancel confirm", "orders/<str:number>/cancel/", "GET", lambda w: f"/orders/{_n(w)}/cancel/", A_ONLY),
    Row(
        "order cancel",
        "orders/<str:number>/cancel/",
        "POST",
        lambda w: f"/orders/{_n(w)}/cancel/",
        expect(LOGIN, 303, 404, 404, 404, LOGIN, LOGIN, 404),
    ),
    # --- the address book ---
    Row("address book", "accounts/addresses/", "GET", lambda w: "/accounts/addresses/", OWN_PAGE),
    Row("address new", "accounts/addresses/new/", "GET", lambda w: "/accounts/addresses/new/", OWN_PAGE),
    Row(
        "address edit",
        "accounts/addresses/<int:address_id>/edit/",
        "GET",
        lambda w: f"/accounts/addresses/{w.address_a.pk}/edit/",
        A_ONLY,
    ),
    Row(
        "address delete confirm",
        "accounts/addresses/<int:address_id>/delete/",
        "GET",
        lambda w: f"/accounts/addresses/{w.address_a.pk}/delete/",
        A_ONLY,
    ),
    Row(
        "address delete",
        "accounts/addresses/<int:address_id>/delete/",
        "POST",
        lambda w: f"/accounts/addresses/{w.address_a.pk}/delete/",
        expect(LOGIN, 302, 404, 404, 404, LOGIN, LOGIN, 404),
    ),
    Row(
        "address make default",
        "accounts/addresses/<int:address_id>/default/",
        "POST",
        lambda w: f"/accounts/addresses/{w.address_a.pk}/default/",
        expect(LOGIN, 302, 404, 404, 404, LOGIN, LOGIN, 404),
    ),
    # --- the merchant portal ---
    Row("portal shipments", "merchant/", "GET", lambda w: "/merchant/", PORTAL_OWN),
    Row(
        "portal switch",
        "merchant/switch/",
        "POST",
        lambda w: "/merchant/switch/",
        expect(LOGIN, 403, 403, 303, 404, LOGIN, LOGIN, 403),
        data=lambda w: {"merchant": w.x.slug},
    ),
    Row(
        "portal shipment",
        "merchant/shipments/<str:public_id>/",
        "GET",
        lambda w: f"/merchant/shipments/{w.sx_a.public_id}/",
        PORTAL_X_ONLY,
        sees={"merchant_x": ("a",)},
    ),
    Row(
        "portal slip",
        "merchant/shipments/<str:public_id>/slip/",
        "GET",
        lambda w: f"/merchant/shipments/{w.sx_a.public_id}/slip/",
        PORTAL_X_ONLY,
        sees={"merchant_x": ("a",)},
    ),
    Row(
        "portal move",
        "merchant/shipments/<str:public_id>/move/",
        "POST",
        lambda w: f"/merchant/shipments/{w.sx_a.public_id}/move/",
        expect(LOGIN, 403, 403, 303, 404, LOGIN, LOGIN, 403),
        data=lambda w: {"to": "packed"},
    ),
    Row("portal sales", "merchant/sales/", "GET", lambda w: "/merchant/sales/", PORTAL_OWN),
    Row("portal products", "merchant/products/", "GET", lambda w: "/merchant/products/", PORTAL_OWN),
    Row(
        "portal product",
        "merchant/products/<int:product_id>/",
        "GET",
        lambda w: f"/merchant/products/{w.product_x}/",
        PORTAL_X_ONLY,
    ),
    # --- the session API ---
    Row(
        "api checkout",
        "api/checkout",
        "POST",
        lambda w: "/api/checkout",
        expect(401, 400, 400, 400, 400, 401, 401, 400),
        json=True,
        data=lambda w: {},
        api="/api/checkout",
    ),
    Row(
        "api orders",
        "api/orders",
        "GET",
        lambda w: "/api/orders",
        expect(401, 200, 200, 200, 200, 401, 401, 200),
        api="/api/orders",
    ),
    Row(
        "api order",
        "api/orders/<number>",
        "GET",
        lambda w: f"/api/orders/{_n(w)}",
        API_A_ONLY,
        api="/api/orders/{number}",
        sees={"customer_a": ("a",)},
    ),
    Row(
        "api order cancel",
        "api/orders/<number>/cancel",
        "POST",
        lambda w: f"/api/orders/{_n(w)}/cancel",
        API_A_ONLY,
        api="/api/orders/{number}/cancel",
    ),
    # --- the carrier API ---
    Row(
        "carrier shipments",
        "api/carrier/shipments",
        "GET",
        lambda w: "/api/carrier/shipments",
        expect(401, 401, 401, 401, 401, 200, 200, 401),
        api="/api/carrier/shipments",
    ),
    Row(
        "carrier label",
        "api/carrier/shipments/<public_id>",
        "GET",
        lambda w: f"/api/carrier/shipments/{w.sx_a.public_id}",
        CARRIER_P_ONLY,
        api="/api/carrier/shipments/{public_id}",
        sees={"carrier_p": ("a",)},
    ),
    Row(
        "carrier status",
        "api/carrier/shipments/<public_id>/status",
        "POST",
        lambda w: f"/api/carrier/shipments/{w.sx_a.public_id}/status",
        CARRIER_P_ONLY,
        json=True,
        data=lambda w: {"status": "picked_up"},
        api="/api/carrier/shipments/{public_id}/status",
        setup=_hand_over,
    ),
    Row(
        "carrier webhook unsigned",
        "api/carrier/webhooks",
        "POST",
        lambda w: "/api/carrier/webhooks",
        expect(*[401] * 8),
        json=True,
        data=lambda w: {"event_id": "e1", "shipment": str(w.sx_a.public_id), "status": "picked_up"},
        api="/api/carrier/webhooks",
    ),
]


def _fixed(url: str) -> Callable[[World], str]:
    return lambda world: url


def _object_url(template: str, pk: Callable[[World], object]) -> Callable[[World], str]:
    return lambda world: template.format(pk=pk(world))


def _admin_rows() -> list[Row]:
    """AllBuy's admin pages of orders, addresses, shipments, merchants, carriers and their tokens: staff only."""
    objects: dict[str, Callable[[World], object]] = {
        "orders/order": lambda w: w.order_a.pk,
        "accounts/address": lambda w: w.address_a.pk,
        "account/emailaddress": lambda w: EmailAddress.objects.get(user=w.order_a.user).pk,
        "fulfilment/shipment": lambda w: w.sx_a.pk,
        "fulfilment/merchant": lambda w: w.x.pk,
        "fulfilment/carrier": lambda w: w.p.pk,
        "fulfilment/carriertoken": lambda w: CarrierToken.objects.filter(carrier=w.p).get().pk,
    }
    # Orders, shipments and carrier tokens are records staff read but never add or delete by hand (403);
    # addresses are added only by their owners.
    read_only = {("orders/order", "add"), ("orders/order", "delete"), ("accounts/address", "add"),
                 ("fulfilment/shipment", "add"), ("fulfilment/shipment", "delete"),
                 ("fulfilment/carriertoken", "add"), ("fulfilment/carriertoken", "delete")}  # fmt: skip
    staff_403 = {**ADMIN, "allbuy_staff": 403}
    rows = []
    for model, pk in objects.items():
        base = f"admin/{model}/"
        add = staff_403 if (model, "add") in read_only else ADMIN
        rows.append(Row(f"admin {model} list", base, "GET", _fixed(f"/{base}"), ADMIN))
        rows.append(Row(f"admin {model} add", base + "add/", "GET", _fixed(f"/{base}add/"), add))
        for view in ("history", "delete", "change"):
            route = f"{base}<path:object_id>/{view}/"
            expected = staff_403 if (model, view) in read_only else ADMIN
            # AllBuy staff may open a customer's address in the admin: a purpose-bound read, logged for the customer.
            sees: dict[str, tuple[str, ...]] = {"allbuy_staff": ("a",)} if (model, view) == ("accounts/address", "change") else {}
            rows.append(
                Row(f"admin {model} {view}", route, "GET", _object_url(f"/{base}{{pk}}/{view}/", pk), expected, sees=sees)
            )
        bare = f"{base}<path:object_id>/"
        rows.append(Row(f"admin {model} object", bare, "GET", _object_url(f"/{base}{{pk}}/", pk), ADMIN_REDIRECT))
    for view in ("cancel", "refund", "status/<str:to_status>"):
        route = f"admin/orders/order/<path:object_id>/{view}/"
        path = view.replace("<str:to_status>", "fulfilling")
        rows.append(
            Row(
                f"admin order {view}",
                route,
                "GET",
                _object_url(f"/admin/orders/order/{{pk}}/{path}/", lambda w: w.order_a.pk),
                ADMIN,
            )
        )
    app_list = "admin/^(?P<app_label>auth|privacy|accounts|catalog|coupons|deals|orders|fulfilment|account|socialaccount|axes)/$"
    for app in ("orders", "fulfilment", "accounts"):
        rows.append(Row(f"admin app {app}", app_list, "GET", _fixed(f"/admin/{app}/"), ADMIN))
    return rows


ROWS += _admin_rows()

# Routes that match PATTERN but are deliberately not rows, each with its reason.
ALLOWED_WITHOUT_ROW: dict[str, str] = {
    "payments/webhook/": "the payment provider's signed webhook: no user, no session, no personal data out; "
    "signature checks are in allbuy/orders/tests/test_webhook_view.py",
}


def _secrets(world: World) -> dict[str, tuple[str, ...]]:
    return {"a": (A["recipient_name"], A["line1"], A["email"]), "b": (B["recipient_name"], B["line1"], B["email"])}


def _own(role: str) -> tuple[str, ...]:
    return {"customer_a": ("a",), "customer_b": ("b",)}.get(role, ())


def _check(response: Any, expected: object) -> None:
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/accounts/login/"), response["Location"]
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/admin/login/"), response["Location"]
    else:
        assert response.status_code == expected, (response.status_code, response.content[:300])


CELLS = [pytest.param(row, role, id=f"{row.method} {row.name} × {role}") for row in ROWS for role in ROLES]


@pytest.mark.parametrize(("row", "role"), CELLS)
def test_cell(world, row: Row, role: str):
    # given the world, and the row's state
    if row.setup:
        row.setup(world)
    client = client_for(world, role)
    url = row.url(world)

    # when the role requests the route
    if row.method == "GET":
        response = client.get(url)
    elif row.json:
        response = client.post(url, data=row.data(world) if row.data else {}, content_type="application/json")
    else:
        response = client.post(url, data=row.data(world) if row.data else {})

    # then the answer is the expected one
    _check(response, row.expected[role])
    # and it holds no personal data this role may not see, even when allowed
    body = response.content.decode(errors="replace")
    may_see = set(_own(role)) | set(row.sees.get(role, ()))
    for customer, values in _secrets(world).items():
        if customer in may_see:
            continue
        for value in values:
            assert value not in body, f"{role} sees {customer}'s {value!r} on {row.method} {url}"


def test_the_allowed_cells_do_show_what_they_should(world):
    """The leak check above must be able to fail: the cells that may show A's data do show it."""
    # when / then: A's own order page, X's packing slip and P's label show A's recipient name
    assert A["recipient_name"] in client_for(world, "customer_a").get(f"/orders/{_n(world)}/").content.decode()
    slip = client_for(world, "merchant_x").get(f"/merchant/shipments/{world.sx_a.public_id}/slip/").content.decode()
    assert A["recipient_name"] in slip
    assert A["email"] not in slip
    label = client_for(world, "carrier_p").get(f"/api/carrier/shipments/{world.sx_a.public_id}").json()
    assert label["ship_to"]["recipient_name"] == A["recipient_name"]


def test_lists_show_only_the_roles_own_objects(world):
    # when
    orders_a = client_for(world, "customer_a").get("/api/orders").json()["items"]
    orders_x = client_for(world, "merchant_x").get("/api/orders").json()["items"]
    portal_y = client_for(world, "merchant_y").get("/merchant/").content.decode()
    carrier_p = client_for(world, "carrier_p").get("/api/carrier/shipments").json()["items"]
    carrier_q = client_for(world, "carrier_q").get("/api/carrier/shipments").json()["items"]

    # then
    assert [order["number"] for order in orders_a] == [world.order_a.number]
    assert orders_x == []
    assert str(world.sx_a.public_id) not in portal_y
    assert world.sx_a.tracking_number not in portal_y
    assert str(shipment_of(world.order_a, world.y).public_id) in portal_y
    assert {item["public_id"] for item in carrier_p} == {str(s.public_id) for s in Shipment.objects.filter(carrier=world.p)}
    assert {item["public_id"] for item in carrier_q} == {str(s.public_id) for s in Shipment.objects.filter(carrier=world.q)}
    assert len(carrier_p) == 2
    assert len(carrier_q) == 2


# --- every route has a row ------------------------------------------------------------------------------------


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append(prefix + str(pattern.pattern))
    return found


def test_every_order_shipment_and_address_route_has_a_row():
    # given every route of the site that touches orders, shipments, addresses, merchants, carriers or payments
    routes = {route for route in _routes(get_resolver().url_patterns) if PATTERN.search(route)}

    # then each is a row of the matrix or deliberately left out
    covered = {row.route for row in ROWS} | set(ALLOWED_WITHOUT_ROW)
    assert routes - covered == set(), "add a row to the authorization matrix for each new route"
    assert covered - routes == set(), "a row or an allow-list entry names a route that no longer exists"


def test_every_such_api_operation_has_a_row():
    # given every operation of the API's schema on such a path
    schema = api.get_openapi_schema()
    operations = {
        (method.upper(), path) for path, methods in schema["paths"].items() if PATTERN.search(path) for method in methods
    }

    # then each has a row for its method and path
    assert operations - {(row.method, row.api) for row in ROWS if row.api} == set()


def test_the_route_walk_finds_a_new_route(monkeypatch):
    """The check above fails for a route added without a row."""
    # given a new route under /orders/
    from django.urls import path

    import config.urls

    extra = path("orders/<str:number>/invoice/", lambda request, number: HttpResponse())
    monkeypatch.setattr(config.urls, "urlpatterns", [*config.urls.urlpatterns, extra])
    clear_url_caches()
    try:
        # when / then
        with pytest.raises(AssertionError, match="add a row"):
            test_every_order_shipment_and_address_route_has_a_row()
    finally:
        monkeypatch.undo()
        clear_url_caches()


# --- ids are not guessable ---------------------------------------------------------------------------------------


def test_order_numbers_and_shipment_ids_are_random(world):
    # given
    numbers = [world.order_a.number, world.order_b.number]
    shipments = list(Shipment.objects.all())

    # then order numbers are 12 random characters, not a sequence; shipment ids are random UUIDs
    assert all(re.fullmatch(r"AB[0-9A-Z]{10}", number) for number in numbers)
    assert numbers[0][2:] != numbers[1][2:]
    assert str(world.order_a.pk) not in numbers[0][2:4]
    assert all(shipment.public_id.version == 4 for shipment in shipments)
    assert len({shipment.public_id for shipment in shipments}) == len(shipments) == 4
    assert len({shipment.tracking_number for shipment in shipments}) == 4


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("customer_a", lambda w: f"/orders/{w.order_b.number}/"),
        ("customer_a", lambda w: f"/api/orders/{w.order_b.number}"),
        ("customer_a", lambda w: f"/orders/{w.order_a.number[:-1]}{'Z' if w.order_a.number[-1] != 'Z' else 'Y'}/"),
        ("customer_a", lambda w: f"/api/orders/{w.order_a.pk}"),
        ("merchant_y", lambda w: f"/merchant/shipments/{w.sx_a.public_id}/"),
        ("merchant_y", lambda w: f"/merchant/shipments/{w.sx_a.pk}/"),
        ("merchant_x", lambda w: f"/merchant/shipments/{uuid.uuid4()}/"),
        ("merchant_x", lambda w: f"/merchant/shipments/{w.sx_a.tracking_number}/"),
        ("carrier_p", lambda w: f"/api/carrier/shipments/{uuid.uuid4()}"),
        ("carrier_p", lambda w: f"/api/carrier/shipments/{w.sx_a.pk}"),
    ],
    ids=["A→B's order", "A→B's order (API)", "A→a near number", "A→an order's row id", "Y→X's shipment",
         "Y→a shipment's row id", "X→a random id", "X→a tracking number", "P→a random id", "P→a row id"],
)  # fmt: skip
def test_a_guessed_or_foreign_id_is_not_found_and_shows_nothing(world, role, url):
    # when
    response = client_for(world, role).get(url(world))

    # then
    assert response.status_code == 404
    body = response.content.decode()
    for customer, values in _secrets(world).items():
        if customer not in _own(role):
            assert not any(value in body for value in values)


def test_the_role_actor_of_a_carrier_cannot_move_another_carriers_shipment(world):
    """The service refuses it too, not only the API (a row id or public id of Q's parcel is no key for P)."""
    from allbuy.fulfilment.services import TransitionRefused, carrier_actor

    _hand_over_b = world.sx_b
    shipment_move(shipment=_hand_over_b, to=ShipmentStatus.PACKED, by=merchant_actor(world.x), now=NOW)
    shipment_move(shipment=_hand_over_b, to=ShipmentStatus.HANDED_OVER, by=merchant_actor(world.x), now=NOW)

    # when / then
    with pytest.raises(TransitionRefused) as refused:
        shipment_move(shipment=_hand_over_b, to=ShipmentStatus.PICKED_UP, by=carrier_actor(world.p), now=NOW)
    assert refused.value.status == 403
    assert Shipment.objects.get(pk=_hand_over_b.pk).status == ShipmentStatus.HANDED_OVER
    assert isinstance(carrier_actor(world.p), Actor)
