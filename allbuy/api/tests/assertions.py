"""The error shape every API failure shares."""

from typing import Any


def error_of(response: Any, status: int) -> dict[str, Any]:
    """Assert the response is the API's JSON error with `status`, and return its body."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["code"], str)
    assert body["code"]
    assert "Traceback" not in response.content.decode()
    return body
