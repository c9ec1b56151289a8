import pytest

from allbuy.api.params import PRODUCT_LIST_PARAMETERS
from allbuy.catalog.query import PARAMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_schema_lists_every_catalog_endpoint_as_get_only(schema):
    paths = schema["paths"]
    catalog = {
        path: operations
        for path, operations in paths.items()
        if any("catalog" in operation.get("tags", []) for operation in operations.values())
    }

    assert set(catalog) == {
        "/api/products",
        "/api/products/{slug}",
        "/api/categories",
        "/api/categories/{slug}",
        "/api/brands",
        "/api/brands/{slug}",
    }
    assert all(set(operations) == {"get"} for operations in catalog.values())


def test_schema_documents_money_as_strings(schema):
    card = schema["components"]["schemas"]["ProductCardOut"]["properties"]
    variant = schema["components"]["schemas"]["VariantOut"]["properties"]

    assert [option["type"] for option in card["price_from"]["anyOf"]] == ["string", "null"]
    assert variant["price"]["type"] == "string"
    assert "never a float" in variant["price"]["description"]


def test_schema_documents_the_list_parameters_and_errors(schema):
    operation = schema["paths"]["/api/products"]["get"]

    assert {parameter["name"] for parameter in operation["parameters"]} == PARAMS
    assert {"200", "400", "404"} <= set(operation["responses"])
    assert "ErrorOut" in str(operation["responses"]["400"])


def test_documented_list_parameters_match_the_parser():
    assert {parameter["name"] for parameter in PRODUCT_LIST_PARAMETERS} == PARAMS


def test_docs_page_is_served(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content
