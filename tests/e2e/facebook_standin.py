"""A stand-in for Facebook Login on 127.0.0.1: the OAuth dialog, the token endpoint and the Graph API.

Facebook cannot be reached from the test machines, so the browser journeys send django-allauth here instead
(config/settings/test.py points the provider's AUTHORIZE_URL and GRAPH_API_URL at it). It plays the parts of
the protocol allauth uses, and is strict where Facebook is strict:

- ``GET /dialog/oauth``: the permission dialog the visitor sees, "Log in to AllBuy with Facebook", naming the
  test persona; "Continue" sends the browser back to ``redirect_uri`` with a one-time code, "Cancel" with
  Facebook's ``error=access_denied … error_reason=user_denied``.
- ``GET|POST /graph/oauth/access_token``: code → user access token (client id, app secret, redirect URI and
  code must all match; a code works once, and reusing it revokes the token it gave), and the app token
  (``grant_type=client_credentials``) and long-lived exchange (``fb_exchange_token``).
- ``GET /graph/me``: the persona's profile by access token, with ``appsecret_proof`` required and checked.
  It deliberately over-shares (birthday, location, friends, …) whatever ``fields`` asked for, so the tests
  prove that AllBuy drops what its data map does not allow.
- ``GET /graph/debug_token`` and ``GET /graph/oauth/access_token_info``: token inspection (login by token).

Every request is recorded (`requests`), so a test can check, for example, that the app secret never passed
through the browser. The persona is set per journey with `use()`; all state is guarded by one lock because
the server answers each request on its own thread.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DIALOG_PATH = "/dialog/oauth"
DECIDE_PATH = "/dialog/oauth/decide"
GRAPH_PREFIX = "/graph"
CODE_LIFETIME = 600
TOKEN_LIFETIME = 60 * 60 * 2
CALLBACK_PATH = "/accounts/facebook/login/callback/"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


@dataclass(frozen=True)
class Persona:
    """A Facebook user. `id`, `name` and `email` are what AllBuy may keep; the rest it must not."""

    id: str
    name: str
    email: str
    first_name: str = ""
    last_name: str = ""
    birthday: str = "04/17/1988"
    gender: str = "female"
    location: dict[str, str] = field(default_factory=lambda: {"id": "108424279189115", "name": "Zaragoza, Spain"})
    hometown: dict[str, str] = field(default_factory=lambda: {"id": "112074232148001", "name": "Teruel, Spain"})
    friends: dict[str, Any] = field(
        default_factory=lambda: {
            "data": [{"id": "10158000000000001", "name": "Orla Fitzgerald-Quinn"}],
            "summary": {"total_count": 347},
        }
    )
    link: str = "https://www.facebook.com/app_scoped_user_id/YXNpZADpBWEdTbW9"

    def profile(self) -> dict[str, Any]:
        """What Graph `/me` answers: the asked-for fields and, deliberately, much more."""
        first, _, last = self.name.partition(" ")
        data = asdict(self)
        data["first_name"] = self.first_name or first
        data["last_name"] = self.last_name or last
        data["verified"] = True
        data["locale"] = "es_ES"
        data["timezone"] = 1
        data["updated_time"] = "2026-09-30T08:12:44+0000"
        return data

    def private_values(self) -> list[str]:
        """Values AllBuy must not store anywhere, in any form."""
        return [
            self.birthday,
            self.location["name"],
            self.location["id"],
            self.hometown["name"],
            *(friend["name"] for friend in self.friends["data"]),
            *(friend["id"] for friend in self.friends["data"]),
            self.link,
        ]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    user_agent: str
    status: int = 0

    @property
    def from_browser(self) -> bool:
        return self.user_agent.startswith("Mozilla/")

    def text(self) -> str:
        return " ".join([self.path, *self.params.keys(), *self.params.values()])


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    persona: Persona
    scope: str
    expires: float
    used: bool = False
    token: str = ""


@dataclass
class _Token:
    persona: Persona | None  # None: an app token
    scope: str
    expires: float
    revoked: bool = False


class GraphError(Exception):
    def __init__(self, message: str, code: int = 100, status: int = HTTPStatus.BAD_REQUEST, kind: str = "OAuthException"):
        super().__init__(message)
        self.message, self.code, self.status, self.kind = message, code, status, kind

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.kind, "code": self.code, "fbtrace_id": secrets.token_hex(8)}}


class FacebookStandIn:
    """The stand-in's state (app credentials, persona, codes, tokens, request log) and its HTTP server."""

    def __init__(self, *, app_id: str, app_secret: str, sock: socket.socket | None = None) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self._lock = threading.Lock()
        self._persona: Persona | None = None
        self._grants: dict[str, _Grant] = {}
        self._tokens: dict[str, _Token] = {}
        self._requests: list[RecordedRequest] = []
        self._server = _Server(self, sock)
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    @property
    def authorize_url(self) -> str:
        return self.base_url + DIALOG_PATH

    @property
    def graph_url(self) -> str:
        return self.base_url + GRAPH_PREFIX

    def start(self) -> FacebookStandIn:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="facebook-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    # --- what tests use ------------------------------------------------------
    def use(self, persona: Persona) -> None:
        """The Facebook user who is "logged in to Facebook" for the next dialogs."""
        with self._lock:
            self._persona = persona

    def reset(self) -> None:
        with self._lock:
            self._persona = None
            self._grants.clear()
            self._tokens.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    # --- the protocol, called by the request handler ---------------------------
    def record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(entry)

    def dialog(self, params: Mapping[str, str]) -> tuple[int, dict[str, str], str]:
        self._check_dialog_params(params)
        with self._lock:
            persona = self._persona
        if persona is None:
            raise GraphError("No Facebook user is logged in to the stand-in (call use(persona) first).", status=409)
        return HTTPStatus.OK, {"Content-Type": "text/html; charset=utf-8"}, _dialog_page(params, persona)

    def decide(self, params: Mapping[str, str]) -> str:
        """The visitor's answer in the dialog; returns where the browser goes next."""
        self._check_dialog_params(params)
        back: dict[str, str] = {}
        if params.get("decision") == "continue":
            with self._lock:
                persona = self._persona
                if persona is None:
                    raise GraphError("No Facebook user is logged in to the stand-in.", status=409)
                code = "AQ" + secrets.token_urlsafe(48)
                self._grants[code] = _Grant(
                    client_id=params["client_id"],
                    redirect_uri=params["redirect_uri"],
                    persona=persona,
                    scope=params.get("scope", ""),
                    expires=time.monotonic() + CODE_LIFETIME,
                )
            back["code"] = code
        else:
            back.update(
                error="access_denied",
                error_code="200",
                error_description="Permissions error",
                error_reason="user_denied",
            )
        if params.get("state"):
            back["state"] = params["state"]
        return _with_query(params["redirect_uri"], back)

    def access_token(self, params: Mapping[str, str]) -> dict[str, Any]:
        grant_type = params.get("grant_type", "authorization_code")
        if params.get("client_id") != self.app_id:
            raise GraphError("Error validating application. Invalid application ID.", code=101)
        if not hmac.compare_digest(params.get("client_secret", ""), self.app_secret):
            raise GraphError("Error validating client secret.", code=1)
        if grant_type == "client_credentials":
            return {"access_token": self._issue(None, ""), "token_type": "bearer"}
        if grant_type == "fb_exchange_token":
            old = self._token(params.get("fb_exchange_token", ""))
            return {"access_token": self._issue(old.persona, old.scope), "token_type": "bearer", "expires_in": TOKEN_LIFETIME}
        if grant_type != "authorization_code":
            raise GraphError(f"Unsupported grant_type {grant_type!r}.")
        code = params.get("code", "")
        with self._lock:
            grant = self._grants.get(code)
            if grant is None or grant.expires < time.monotonic():
                raise GraphError("Invalid verification code format.", code=100)
            if grant.used:
                # OAuth 2.0 §4.1.2: a code used twice revokes what it gave.
                if grant.token in self._tokens:
                    self._tokens[grant.token].revoked = True
                raise GraphError("This authorization code has been used.", code=100)
            if grant.client_id != params["client_id"]:
                raise GraphError("This authorization code was issued to another application.", code=100)
            if grant.redirect_uri != params.get("redirect_uri"):
                raise GraphError(
                    "Error validating verification code. Please make sure your redirect_uri is identical "
                    "to the one you used in the OAuth dialog request",
                    code=100,
                )
            grant.used = True
        grant.token = self._issue(grant.persona, grant.scope)
        return {"access_token": grant.token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME}

    def me(self, params: Mapping[str, str]) -> dict[str, Any]:
        token_value = params.get("access_token", "")
        token = self._token(token_value)
        if token.persona is None:
            raise GraphError("An active access token must be used to query information about the current user.", code=2500)
        expected = hmac.new(self.app_secret.encode(), token_value.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(params.get("appsecret_proof", ""), expected):
            raise GraphError("Invalid appsecret_proof provided in the API argument", code=100)
        profile = token.persona.profile()
        if "email" not in token.scope.split(","):
            profile.pop("email")
        return profile

    def debug_token(self, params: Mapping[str, str]) -> dict[str, Any]:
        inspector = self._token(params.get("access_token", ""))
        if inspector.persona is not None:
            raise GraphError("(#100) You must provide an app access token, or a user access token that is an owner.")
        with self._lock:
            token = self._tokens.get(params.get("input_token", ""))
        if token is None or token.persona is None:
            return {"data": {"is_valid": False, "error": {"code": 190, "message": "Invalid OAuth access token."}}}
        return {
            "data": {
                "app_id": self.app_id,
                "type": "USER",
                "application": "AllBuy",
                "is_valid": not token.revoked and token.expires > time.monotonic(),
                "scopes": token.scope.split(","),
                "user_id": token.persona.id,
            }
        }

    def access_token_info(self, params: Mapping[str, str]) -> dict[str, Any]:
        self._token(params.get("access_token", ""))
        return {"access_token": params["access_token"], "token_type": "bearer", "expires_in": TOKEN_LIFETIME}

    def _issue(self, persona: Persona | None, scope: str) -> str:
        value = "EAA" + secrets.token_urlsafe(64)
        with self._lock:
            self._tokens[value] = _Token(persona=persona, scope=scope, expires=time.monotonic() + TOKEN_LIFETIME)
        return value

    def _token(self, value: str) -> _Token:
        with self._lock:
            token = self._tokens.get(value)
        if token is None or token.revoked or token.expires < time.monotonic():
            raise GraphError("Invalid OAuth access token data.", code=190, status=HTTPStatus.BAD_REQUEST)
        return token

    def _check_dialog_params(self, params: Mapping[str, str]) -> None:
        if params.get("client_id") != self.app_id:
            raise GraphError("Invalid App ID: the app is not registered with the Facebook stand-in.", code=101)
        redirect = urlsplit(params.get("redirect_uri", ""))
        if redirect.scheme != "http" or redirect.hostname not in {h.strip("[]") for h in LOOPBACK_HOSTS}:
            raise GraphError("URL blocked: this redirect failed because the redirect URI is not whitelisted.", code=191)
        if redirect.path != CALLBACK_PATH:
            raise GraphError(f"URL blocked: the redirect URI must end in {CALLBACK_PATH}.", code=191)
        if "client_secret" in params:
            raise GraphError("The app secret must never be sent to the dialog.", code=100)


def _with_query(url: str, extra: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _dialog_page(params: Mapping[str, str], persona: Persona) -> str:
    def e(value: object) -> str:
        return html.escape(str(value), quote=True)

    hidden = "".join(
        f'<input type="hidden" name="{e(name)}" value="{e(params[name])}">'
        for name in ("client_id", "redirect_uri", "state", "scope")
        if name in params
    )
    scopes = [s for s in params.get("scope", "").split(",") if s]
    wanted = "".join(f"<li>{e(s)}</li>" for s in scopes) or "<li>public_profile</li>"
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Log in to AllBuy with Facebook</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto}} .note{{color:#666;font-size:.85rem}}</style></head>
<body>
<main>
  <h1>Log in to AllBuy with Facebook</h1>
  <p class="note">Facebook stand-in for tests (127.0.0.1) — not the real Facebook.</p>
  <p>You are logged in to Facebook as <strong data-testid="persona-name">{e(persona.name)}</strong>
     (<span data-testid="persona-email">{e(persona.email)}</span>, Facebook id
     <span data-testid="persona-id">{e(persona.id)}</span>).</p>
  <p>AllBuy is asking for:</p>
  <ul data-testid="scopes">{wanted}</ul>
  <form method="post" action="{DECIDE_PATH}">
    {hidden}
    <button type="submit" name="decision" value="continue">Continue as {e(persona.name.split(" ")[0])}</button>
    <button type="submit" name="decision" value="cancel">Cancel</button>
  </form>
</main>
</body>
</html>"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, standin: FacebookStandIn, sock: socket.socket | None) -> None:
        self.standin = standin
        if sock is None:
            super().__init__(("127.0.0.1", 0), _Handler)
        else:
            # Serve on a socket bound earlier (the port is in the settings before the server exists).
            super().__init__(sock.getsockname()[:2], _Handler, bind_and_activate=False)
            self.socket.close()
            self.socket = sock
            self.server_address = sock.getsockname()[:2]
            self.server_activate()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is kept in FacebookStandIn.requests

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        standin = self.server.standin
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                params.update(parse_qsl(body, keep_blank_values=True))
        status: int
        try:
            status, headers, content = self._route(method, url.path, params)
        except GraphError as error:
            status, headers, content = error.status, {"Content-Type": "application/json"}, json.dumps(error.body())
        except Exception as error:  # a bug in the stand-in: answer like Facebook's "unknown error", and say what it was
            status, headers = HTTPStatus.INTERNAL_SERVER_ERROR, {"Content-Type": "application/json"}
            content = json.dumps(GraphError(f"stand-in failure: {error!r}", code=1, kind="OAuthException").body())
        standin.record(RecordedRequest(method, url.path, params, self.headers.get("User-Agent", ""), status))
        payload = content.encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    def _route(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], str]:
        standin = self.server.standin
        if path == DIALOG_PATH and method == "GET":
            return standin.dialog(params)
        if path == DECIDE_PATH and method == "POST":
            return HTTPStatus.FOUND, {"Location": standin.decide(params)}, ""
        graph_routes = {
            GRAPH_PREFIX + "/oauth/access_token": standin.access_token,
            GRAPH_PREFIX + "/me": standin.me,
            GRAPH_PREFIX + "/debug_token": standin.debug_token,
            GRAPH_PREFIX + "/oauth/access_token_info": standin.access_token_info,
        }
        route = graph_routes.get(path)
        if route is None or (method == "POST" and not path.endswith("/access_token")):
            raise GraphError(f"Unknown path components: {path}", code=2500, status=HTTPStatus.NOT_FOUND)
        return HTTPStatus.OK, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(route(params))


@contextmanager
def running(*, app_id: str, app_secret: str, sock: socket.socket | None = None) -> Iterator[FacebookStandIn]:
    standin = FacebookStandIn(app_id=app_id, app_secret=app_secret, sock=sock).start()
    try:
        yield standin
    finally:
        standin.stop()
