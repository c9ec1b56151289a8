"""Every failure under /api/ is JSON with a message and a code, whatever went wrong."""

import logging

import pytest
from django.test import Client

from allbuy.api.tests.assertions import error_of
from allbuy.catalog.exceptions import ProductNotFound

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/products",
    "/api/products/any-product",
    "/api/categories",
    "/api/categories/any",
    "/api/brands",
    "/api/brands/any",
]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_wrong_method_is_json_405(client, path, method):
    response = getattr(client, method)(path, data="{}", content_type="application/json")

    body = error_of(response, 405)
    assert body["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"
    assert body["extra"] == {"allowed_methods": ["GET"]}


def test_wrong_method_is_405_even_when_csrf_is_enforced():
    response = Client(enforce_csrf_checks=True).post("/api/products", data={"name": "x"})

    assert error_of(response, 405)["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "path", ["/api/nope", "/api/", "/api/products/redmi/extra", "/api/products/", "/api/docs/nope", "/api/%00"]
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_path_under_api_is_json_404(client, path, method):
    body = error_of(getattr(client, method)(path), 404)

    assert body["code"] == "not_found"
    assert "/api/docs" in body["message"]


def test_unknown_path_outside_api_is_left_to_the_site(client):
    response = client.get("/not-the-api/nope")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_application_error_keeps_its_status_code_and_message(client, monkeypatch):
    def refuse(*, slug):
        raise ProductNotFound("Gone to a better shop.", code="product_retired", extra={"since": "2024"})

    monkeypatch.setattr("allbuy.api.catalog.product_detail", refuse)

    body = error_of(client.get("/api/products/old-phone"), 404)

    assert body == {"message": "Gone to a better shop.", "code": "product_retired", "extra": {"since": "2024"}}


def test_validation_error_names_the_field(client):
    body = error_of(client.get("/api/products/not%20a%20slug"), 400)

    assert body["code"] == "invalid_input"
    assert "'slug'" in body["message"]
    assert body["detail"][0]["field"] == "slug"
    assert "not a slug" not in str(body)  # the refused input is not echoed


def test_too_many_parameters_is_a_json_400(client):
    query = "&".join(f"brand=b{n}" for n in range(1500))

    assert error_of(client.get(f"/api/products?{query}"), 400)["code"] == "bad_request"


def test_unexpected_error_is_a_json_500_without_a_traceback(client, monkeypatch, caplog):
    def explode():
        raise RuntimeError("connection string postgres://secret")

    monkeypatch.setattr("allbuy.api.catalog.brand_list", explode)

    with caplog.at_level(logging.ERROR, logger="allbuy.api.errors"):
        response = client.get("/api/brands")

    body = error_of(response, 500)
    assert body == {"message": "Something went wrong on our side.", "code": "server_error"}
    assert "secret" not in response.content.decode()
    assert "RuntimeError" in caplog.text  # the traceback goes to the log
