"""The Facebook stand-in itself: it must be as strict as Facebook, or the browser journeys would prove little.

These talk HTTP to a stand-in of their own (no browser, no database).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

import pytest

from tests.e2e.facebook_standin import FacebookStandIn, Persona, running

APP_ID = "1234567890"
SECRET = "stand-in-self-test-secret"
CALLBACK = "http://127.0.0.1:8000/accounts/facebook/login/callback/"
ADA = Persona(id="10000000000000001", name="Ada Byron", email="ada@example.org")


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = build_opener(_NoRedirects)


def call(url: str, params: dict[str, str], *, post: bool = False) -> tuple[int, dict[str, str], Any]:
    body = urlencode(params).encode() if post else None
    request = Request(url if post else f"{url}?{urlencode(params)}", data=body)
    try:
        with _opener.open(request, timeout=5) as response:
            status, headers, raw = response.status, dict(response.headers), response.read()
    except HTTPError as error:
        status, headers, raw = error.code, dict(error.headers), error.read()
    text = raw.decode()
    return status, headers, json.loads(text) if headers.get("Content-Type", "").startswith("application/json") else text


@pytest.fixture
def standin() -> Iterator[FacebookStandIn]:
    with running(app_id=APP_ID, app_secret=SECRET) as fb:
        fb.use(ADA)
        yield fb


def authorise(standin: FacebookStandIn, decision: str = "continue") -> dict[str, list[str]]:
    params = {"client_id": APP_ID, "redirect_uri": CALLBACK, "state": "s1", "scope": "email,public_profile"}
    status, _, page = call(standin.authorize_url, {**params, "response_type": "code"})
    assert status == 200
    assert "Log in to AllBuy with Facebook" in page
    assert "Ada Byron" in page
    status, headers, _ = call(f"{standin.base_url}/dialog/oauth/decide", {**params, "decision": decision}, post=True)
    assert status == 302
    location = urlsplit(headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return parse_qs(location.query)


def exchange(standin: FacebookStandIn, code: str, changes: dict[str, str] | None = None) -> tuple[int, Any]:
    params = {"client_id": APP_ID, "client_secret": SECRET, "redirect_uri": CALLBACK, "code": code, **(changes or {})}
    status, _, data = call(f"{standin.graph_url}/oauth/access_token", params)
    return status, data


def me(standin: FacebookStandIn, token: str, proof: str | None = None) -> tuple[int, Any]:
    if proof is None:
        proof = hmac.new(SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
    params = {"access_token": token, "fields": "id,name,email", "appsecret_proof": proof}
    status, _, data = call(f"{standin.graph_url}/me", params)
    return status, data


def test_code_for_token_for_profile(standin):
    back = authorise(standin)
    assert back["state"] == ["s1"]
    status, token = exchange(standin, back["code"][0])
    assert status == 200
    assert token["token_type"] == "bearer"
    assert token["expires_in"] > 0
    status, profile = me(standin, token["access_token"])
    assert status == 200
    assert (profile["id"], profile["name"], profile["email"]) == (ADA.id, ADA.name, ADA.email)
    # over-shares on purpose, so the journeys can prove AllBuy drops it
    assert {"birthday", "location", "friends"} <= profile.keys()


def test_cancel_sends_facebooks_access_denied(standin):
    back = authorise(standin, decision="cancel")
    assert back == {
        "error": ["access_denied"],
        "error_code": ["200"],
        "error_description": ["Permissions error"],
        "error_reason": ["user_denied"],
        "state": ["s1"],
    }


def test_a_code_works_once_and_reuse_revokes_its_token(standin):
    code = authorise(standin)["code"][0]
    _, token = exchange(standin, code)
    status, error = exchange(standin, code)
    assert status == 400
    assert error["error"]["type"] == "OAuthException"
    assert me(standin, token["access_token"])[0] == 400


@pytest.mark.parametrize(
    "changes",
    [
        {"client_secret": "not-the-secret"},
        {"client_id": "999"},
        {"redirect_uri": "http://127.0.0.1:8000/elsewhere/"},
        {"code": "AQ-made-up"},
    ],
)
def test_token_endpoint_refuses_wrong_credentials(standin, changes):
    code = authorise(standin)["code"][0]
    status, error = exchange(standin, code, changes)
    assert status == 400
    assert "error" in error


def test_graph_needs_a_valid_token_and_appsecret_proof(standin):
    _, token = exchange(standin, authorise(standin)["code"][0])
    assert me(standin, token["access_token"], proof="0" * 64)[0] == 400
    assert me(standin, token["access_token"], proof="")[0] == 400
    assert me(standin, "EAA-made-up")[0] == 400


def test_dialog_refuses_unknown_apps_and_foreign_redirects(standin):
    base = {"client_id": APP_ID, "redirect_uri": CALLBACK, "state": "s", "response_type": "code"}
    assert call(standin.authorize_url, {**base, "client_id": "999"})[0] == 400
    foreign = "https://evil.example/accounts/facebook/login/callback/"
    assert call(standin.authorize_url, {**base, "redirect_uri": foreign})[0] == 400
    assert call(standin.authorize_url, {**base, "client_secret": SECRET})[0] == 400


def test_debug_token_with_the_app_token(standin):
    _, user_token = exchange(standin, authorise(standin)["code"][0])
    _, _, app = call(
        f"{standin.graph_url}/oauth/access_token",
        {"client_id": APP_ID, "client_secret": SECRET, "grant_type": "client_credentials"},
    )
    status, _, info = call(
        f"{standin.graph_url}/debug_token", {"input_token": user_token["access_token"], "access_token": app["access_token"]}
    )
    assert status == 200
    assert info["data"]["is_valid"] is True
    assert info["data"]["app_id"] == APP_ID


def test_requests_are_recorded_with_their_origin(standin):
    authorise(standin)
    assert [r.path for r in standin.requests] == ["/dialog/oauth", "/dialog/oauth/decide"]
    assert not any(r.from_browser for r in standin.requests)  # urllib here, not a browser
