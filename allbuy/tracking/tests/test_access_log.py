"""Access logs: one JSON line per request with truncated IPs and no personal data, daily files, request ids, retention."""

import json
import logging
import os
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.test import RequestFactory
from django.urls import path

from allbuy.accounts.tests.factories import customer_create
from allbuy.tracking.access_log import (
    AccessLogMiddleware,
    DailyFile,
    RequestIdFilter,
    access_logs_purge,
    current_request_id,
    ip_truncate,
)
from allbuy.tracking.devices import device_class
from allbuy.tracking.models import DeviceClass

# A small URLconf for the tests that need their own views (pytest.mark.urls points here).


def _ok(request: HttpRequest) -> HttpResponse:
    logging.getLogger("allbuy.tests.access_log").warning("inside the view")
    signed_in = request.user.is_authenticated  # as every page that greets its customer does
    return HttpResponse(f"id={request.request_id} signed_in={signed_in}")  # type: ignore[attr-defined]


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view broke")


def _not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponseNotFound("not here")


urlpatterns = [path("ok/", _ok, name="test-ok"), path("boom/", _boom, name="test-boom")]
handler404 = _not_found
TEST_URLS = "allbuy.tracking.tests.test_access_log"

UA = {
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "android_phone": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36",
    "ipad": "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1",
    "android_tablet": "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Safari/537.36",
    "firefox_tablet": "Mozilla/5.0 (Android 13; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0",
    "windows_chrome": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "mac_safari": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "linux_firefox": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "curl": "curl/8.5.0",
    "googlebot_phone": "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
}

AT = datetime(2031, 4, 5, 12, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def log_dir(settings, tmp_path):
    settings.ALLBUY_ACCESS_LOG_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def fixed_clock(monkeypatch):
    """Pins allbuy.core.clock.now(); returns a setter to move it."""
    current = {"now": AT}
    monkeypatch.setattr("allbuy.core.clock.now", lambda: current["now"])

    def move(to: datetime) -> None:
        current["now"] = to

    return move


def _lines(log_dir, day: str = "2031-04-05") -> list[dict]:
    text = (log_dir / f"access-{day}.jsonl").read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


# --- IP truncation -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("198.51.100.255", "198.51.100.0"),
        ("10.0.0.1", "10.0.0.0"),
        ("2001:db8:abcd:12:3456:789a:bcde:f012", "2001:db8:abcd::"),
        ("2001:0db8:abcd:ffff::1", "2001:db8:abcd::"),
        ("::1", "::"),
        ("fe80::1%eth0", "fe80::"),
        ("::ffff:203.0.113.77", "203.0.113.0"),  # IPv4-mapped: treated as IPv4
        (" 203.0.113.77 ", "203.0.113.0"),
    ],
)
def test_addresses_are_truncated_to_their_network(address, network):
    assert ip_truncate(address) == network


@pytest.mark.parametrize("garbage", ["", "unknown", "203.0.113", "203.0.113.256", "2001:db8::g", "1", "::ffff:999.1.1.1"])
def test_unparsable_addresses_become_empty(garbage):
    assert ip_truncate(garbage) == ""


# --- Device classes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("iphone", DeviceClass.MOBILE),
        ("android_phone", DeviceClass.MOBILE),
        ("ipad", DeviceClass.TABLET),
        ("android_tablet", DeviceClass.TABLET),
        ("firefox_tablet", DeviceClass.TABLET),
        ("windows_chrome", DeviceClass.DESKTOP),
        ("mac_safari", DeviceClass.DESKTOP),
        ("linux_firefox", DeviceClass.DESKTOP),
        ("curl", DeviceClass.UNKNOWN),
        ("googlebot_phone", DeviceClass.UNKNOWN),
    ],
)
def test_device_class_of_real_user_agents(agent, expected):
    assert device_class(UA[agent]) == expected


def test_no_user_agent_is_unknown():
    assert device_class("") == DeviceClass.UNKNOWN


# --- One line per request, with nothing personal in it ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_writes_one_line_without_personal_data(client, log_dir, fixed_clock, settings):
    settings.ALLBUY_TRUSTED_PROXIES = 0
    client.cookies["sessionid"] = "cookie-secret-value-1234"
    client.cookies["allbuy_visitor"] = "visitor-cookie-value-5678"

    response = client.get(
        "/privacy?q=alice@example.com&email=bob%40example.com",
        HTTP_USER_AGENT=UA["android_phone"],
        HTTP_REFERER="https://search.example/?q=carol",
        REMOTE_ADDR="198.51.100.23",
    )

    assert response.status_code == 200
    files = sorted(p.name for p in log_dir.iterdir())
    assert files == ["access-2031-04-05.jsonl"]
    raw = (log_dir / files[0]).read_text(encoding="utf-8")
    [line] = _lines(log_dir)
    assert line["ts"] == "2031-04-05T12:30:15.123Z"
    assert line["method"] == "GET"
    assert line["path"] == "/privacy"
    assert line["route"]
    assert line["status"] == 200
    assert line["ip"] == "198.51.100.0"
    assert line["device"] == "mobile"
    assert line["authenticated"] is False
    assert isinstance(line["duration_ms"], float)
    assert line["bytes"] == len(response.content)
    assert line["request_id"] == response["X-Request-ID"]
    assert set(line) == {
        "ts", "request_id", "method", "path", "route", "status", "duration_ms", "bytes", "ip", "device", "authenticated",
    }  # fmt: skip
    for personal in ("alice", "bob", "carol", "example.com", "?", "198.51.100.23", "cookie-secret", "visitor-cookie",
                     "Pixel", "Android", "Mozilla"):  # fmt: skip
        assert personal not in raw


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
def test_a_signed_in_customer_is_only_a_flag(client, log_dir, fixed_clock):
    customer = customer_create("ada@example.org", full_name="Ada Lovelace")
    client.force_login(customer, backend="django.contrib.auth.backends.ModelBackend")

    client.get("/ok/")

    raw = (log_dir / "access-2031-04-05.jsonl").read_text(encoding="utf-8")
    [line] = _lines(log_dir)
    assert line["authenticated"] is True
    without_id = raw.replace(line["request_id"], "").lower()  # a hex id may well contain "ada"
    assert "ada" not in without_id
    assert "lovelace" not in without_id
    assert "example" not in without_id
    assert set(line) == {
        "ts", "request_id", "method", "path", "route", "status", "duration_ms", "bytes", "ip", "device", "authenticated",
    }  # fmt: skip


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
def test_a_view_that_raises_is_logged_as_500(client, log_dir, fixed_clock):
    client.raise_request_exception = False

    response = client.get("/boom/", REMOTE_ADDR="2001:db8:abcd:12::99")

    assert response.status_code == 500
    [line] = _lines(log_dir)
    assert line["status"] == 500
    assert line["route"] == "test-boom"
    assert line["ip"] == "2001:db8:abcd::"
    assert line["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
def test_an_unknown_page_is_logged_with_no_route(client, log_dir, fixed_clock):
    client.get("/nowhere/")
    [line] = _lines(log_dir)
    assert line["status"] == 404
    assert line["route"] == ""


# --- Request ids -----------------------------------------------------------------------------------------------------


@pytest.fixture
def behind_a_proxy(settings):
    settings.ALLBUY_TRUSTED_PROXIES = 1


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
def test_a_valid_incoming_request_id_is_echoed_and_logged(client, log_dir, fixed_clock, behind_a_proxy):
    response = client.get("/ok/", HTTP_X_REQUEST_ID="edge-7f3a.9_b2")

    assert response["X-Request-ID"] == "edge-7f3a.9_b2"
    assert response.content.startswith(b"id=edge-7f3a.9_b2 ")  # request.request_id
    assert _lines(log_dir)[0]["request_id"] == "edge-7f3a.9_b2"


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
@pytest.mark.parametrize("incoming", ["short", "has space in it", "x" * 65, "alice@example.com", "abcdefgh\n", "ünïcödé-id"])
def test_an_invalid_incoming_request_id_is_replaced(client, log_dir, fixed_clock, behind_a_proxy, incoming):
    response = client.get("/ok/", HTTP_X_REQUEST_ID=incoming)

    replaced = response["X-Request-ID"]
    assert replaced != incoming
    assert len(replaced) == 32
    int(replaced, 16)  # a uuid4 hex
    assert _lines(log_dir)[0]["request_id"] == replaced


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
@pytest.mark.parametrize("incoming", ["Ada-Lovelace", "edge-7f3a.9_b2"])
def test_without_a_proxy_an_incoming_request_id_is_never_trusted(client, log_dir, fixed_clock, settings, incoming):
    # given no proxy in front: X-Request-ID is whatever the client wrote, a name for instance
    settings.ALLBUY_TRUSTED_PROXIES = 0

    response = client.get("/ok/", HTTP_X_REQUEST_ID=incoming)

    replaced = response["X-Request-ID"]
    assert len(replaced) == 32
    int(replaced, 16)  # a uuid4 hex of our own
    assert response.content.startswith(f"id={replaced} ".encode())
    raw = (log_dir / "access-2031-04-05.jsonl").read_text(encoding="utf-8")
    assert incoming not in raw
    assert _lines(log_dir)[0]["request_id"] == replaced


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
def test_each_request_gets_its_own_id(client, fixed_clock):
    first, second = client.get("/ok/")["X-Request-ID"], client.get("/ok/")["X-Request-ID"]
    assert first != second


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
def test_application_log_records_carry_the_request_id(client, fixed_clock, behind_a_proxy):
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    view_logger = logging.getLogger("allbuy.tests.access_log")
    view_logger.addHandler(handler)
    try:
        response = client.get("/ok/", HTTP_X_REQUEST_ID="trace-0123456789")
        view_logger.warning("outside any request")
    finally:
        view_logger.removeHandler(handler)

    assert response.status_code == 200
    assert [(r.getMessage(), r.request_id) for r in records] == [  # type: ignore[attr-defined]
        ("inside the view", "trace-0123456789"),
        ("outside any request", "-"),
    ]
    assert current_request_id() == "-"


# --- Paths: captured ids and keys as {name}, catalog slugs kept -------------------------------------------------------


def _logged_path(log_dir) -> str:
    [line] = _lines(log_dir)
    return line["path"]


@pytest.mark.django_db
def test_an_email_confirmation_key_is_not_logged(client, log_dir, fixed_clock):
    key = "MTI:1tQv7x:Xk3p9Lw2RzA0bCdEfGhIjKlMnOp"

    client.get(f"/accounts/confirm-email/{key}/")

    assert _logged_path(log_dir) == "/accounts/confirm-email/{key}/"
    assert key not in (log_dir / "access-2031-04-05.jsonl").read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_password_reset_key_is_not_logged(client, log_dir, fixed_clock):
    # uidb36 "a" also appears in the fixed parts of the path, which stay as they are
    client.get("/accounts/password/reset/key/a-c8x2kq-0a1b2c3d4e5f60718293/")

    assert _logged_path(log_dir) == "/accounts/password/reset/key/{uidb36}-{key}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/orders/ABX3K9P2M7QW/", "/orders/{number}/"),
        ("/orders/ABX3K9P2M7QW/cancel/", "/orders/{number}/cancel/"),
        ("/orders/ABX3K9P2M7QW", "/orders/{number}"),  # redirected by APPEND_SLASH before any view is chosen
        ("/merchant/shipments/0b7f6e1c-3c1e-4c5e-9a0d-1f2e3d4c5b6a/slip/", "/merchant/shipments/{public_id}/slip/"),
        ("/api/carrier/shipments/0b7f6e1c-3c1e-4c5e-9a0d-1f2e3d4c5b6a", "/api/carrier/shipments/{public_id}"),
        ("/api/carts/5f2b9c/lines/3", "/api/carts/{cart_id}/lines/{line_id}"),
    ],
)
def test_order_numbers_and_other_ids_are_not_logged(client, log_dir, fixed_clock, path, logged):
    client.get(path)

    assert _logged_path(log_dir) == logged


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/products/iphone-15-pro-max-256gb/", "/categories/phones/", "/brands/acme/", "/api/products/iphone-15-pro-max-256gb"],
)
def test_catalog_slugs_are_kept(client, log_dir, fixed_clock, path):
    client.get(path)

    assert _logged_path(log_dir) == path


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/nowhere/", "/nowhere/"),
        ("/reset/0a1b2c3d4e5f60718293aa/", "/reset/{token}/"),
        ("/to/alice@example.com", "/to/{email}"),
        ("/wp-admin/" + "x/" * 60, "/wp-admin/{long}"),
    ],
)
def test_an_unknown_path_is_logged_only_when_short_and_without_tokens(client, log_dir, fixed_clock, path, logged):
    response = client.get(path)

    assert response.status_code == 404
    assert _logged_path(log_dir) == logged


# --- Files: the UTC day, standard output, off --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
def test_the_file_follows_the_clocks_utc_day(client, log_dir, fixed_clock):
    berlin = timezone(timedelta(hours=2))
    fixed_clock(datetime(2031, 4, 6, 1, 30, tzinfo=berlin))  # still 5 April in UTC
    client.get("/ok/")
    fixed_clock(datetime(2031, 4, 6, 0, 0, 0, 1000, tzinfo=UTC))  # the next UTC day: a new file
    client.get("/ok/")
    client.get("/ok/")

    assert sorted(p.name for p in log_dir.iterdir()) == ["access-2031-04-05.jsonl", "access-2031-04-06.jsonl"]
    assert [line["ts"] for line in _lines(log_dir, "2031-04-05")] == ["2031-04-05T23:30:00.000Z"]
    assert [line["ts"] for line in _lines(log_dir, "2031-04-06")] == ["2031-04-06T00:00:00.001Z"] * 2


def test_lines_from_several_writers_are_appended_whole(tmp_path):
    # two writers stand for two gunicorn worker processes: each has its own descriptor on the same O_APPEND file
    first, second = DailyFile(tmp_path), DailyFile(tmp_path)
    day = AT.date()
    for i in range(50):
        first.write(b'{"n":"a%d"}\n' % i, day)
        second.write(b'{"n":"b%d"}\n' % i, day)
    first.close()
    second.close()
    lines = [json.loads(line)["n"] for line in (tmp_path / "access-2031-04-05.jsonl").read_text().splitlines()]
    assert len(lines) == 100
    assert lines[:4] == ["a0", "b0", "a1", "b1"]


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
def test_a_dash_writes_lines_to_standard_output(client, settings, tmp_path, capfd, fixed_clock, monkeypatch):
    settings.ALLBUY_ACCESS_LOG_DIR = "-"
    monkeypatch.chdir(tmp_path)

    client.get("/ok/?email=alice@example.com", REMOTE_ADDR="203.0.113.77")

    out = capfd.readouterr().out
    [line] = [json.loads(text) for text in out.splitlines() if text.startswith("{")]
    assert line["path"] == "/ok/"
    assert line["ip"] == "203.0.113.0"
    assert "alice" not in out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
@pytest.mark.urls(TEST_URLS)
def test_empty_means_no_access_log(client, settings, tmp_path, capfd, fixed_clock, monkeypatch):
    settings.ALLBUY_ACCESS_LOG_DIR = ""
    monkeypatch.chdir(tmp_path)

    response = client.get("/ok/")

    assert response["X-Request-ID"]  # request ids work without access logs
    assert list(tmp_path.iterdir()) == []
    assert '"request_id"' not in capfd.readouterr().out


def test_the_user_is_never_looked_up_to_fill_authenticated(tmp_path, fixed_clock):
    # given a request whose user nothing has looked at (a lazy object that must stay unevaluated)
    from django.utils.functional import SimpleLazyObject

    def lookup():
        raise AssertionError("the access log loaded the user")

    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    request.user = SimpleLazyObject(lookup)  # type: ignore[assignment]
    middleware = AccessLogMiddleware(lambda r: HttpResponse("ok"))
    middleware.sink = DailyFile(tmp_path)

    middleware(request)

    [line] = _lines(tmp_path)
    assert line["authenticated"] is False


def test_a_write_failure_never_fails_the_request(tmp_path, caplog):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    middleware = AccessLogMiddleware(lambda r: HttpResponse("ok"))
    middleware.sink = DailyFile(blocker / "log")

    response = middleware(RequestFactory().get("/"))

    assert response.status_code == 200
    assert "access log line could not be written" in caplog.text


# --- Retention -------------------------------------------------------------------------------------------------------


def _touch(folder, *names):
    for name in names:
        (folder / name).write_text("{}\n")


def test_purge_deletes_old_days_only_and_nothing_else(tmp_path):
    _touch(
        tmp_path,
        "access-2031-04-05.jsonl",  # today
        "access-2031-03-06.jsonl",  # 30 days ago: kept
        "access-2031-03-05.jsonl",  # 31 days ago: deleted
        "access-2030-01-01.jsonl",  # deleted
        "access-2030-01-01.jsonl.gz",  # not ours
        "access-2030-13-45.jsonl",  # not a day
        "error-2030-01-01.jsonl",
        "notes.txt",
    )
    (tmp_path / "access-2029-01-01.jsonl").mkdir()  # a directory named like a file is left alone

    deleted = access_logs_purge(now=AT, days=30, directory=tmp_path)

    assert deleted == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "access-2029-01-01.jsonl",
        "access-2030-01-01.jsonl.gz",
        "access-2030-13-45.jsonl",
        "access-2031-03-06.jsonl",
        "access-2031-04-05.jsonl",
        "error-2030-01-01.jsonl",
        "notes.txt",
    ]


def test_purge_reads_the_directory_setting(settings, tmp_path):
    settings.ALLBUY_ACCESS_LOG_DIR = str(tmp_path)
    _touch(tmp_path, "access-2031-04-04.jsonl", "access-2031-04-01.jsonl")
    assert access_logs_purge(now=AT, days=2) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["access-2031-04-04.jsonl"]


@pytest.mark.parametrize("value", ["", "-"])
def test_purge_without_a_directory_does_nothing(settings, value):
    settings.ALLBUY_ACCESS_LOG_DIR = value
    assert access_logs_purge(now=AT, days=30) == 0


def test_the_command_purges_with_the_setting_or_days(settings, tmp_path, fixed_clock, capsys):
    settings.ALLBUY_ACCESS_LOG_DIR = str(tmp_path)
    settings.ALLBUY_ACCESS_LOG_DAYS = 30
    _touch(tmp_path, "access-2031-04-05.jsonl", "access-2031-03-01.jsonl", "access-2031-04-01.jsonl")

    call_command("access_logs_purge")
    assert "1 access-log file(s) deleted" in capsys.readouterr().out
    call_command("access_logs_purge", "--days", "2")
    assert "1 access-log file(s) deleted" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["access-2031-04-05.jsonl"]


@pytest.mark.parametrize("days", ["0", "abc", "3651", "-5"])
def test_the_command_refuses_bad_days_in_one_line(settings, tmp_path, days):
    settings.ALLBUY_ACCESS_LOG_DIR = str(tmp_path)
    _touch(tmp_path, "access-2000-01-01.jsonl")

    with pytest.raises(CommandError) as refused:
        call_command("access_logs_purge", "--days", days)

    assert "\n" not in str(refused.value)
    assert "1 to 3650" in str(refused.value)
    assert (tmp_path / "access-2000-01-01.jsonl").exists()


@pytest.mark.parametrize("days", ["0", "abc"])
def test_the_command_line_exits_non_zero_with_one_line(settings, tmp_path, days, capsys):
    from django.core.management import load_command_class

    settings.ALLBUY_ACCESS_LOG_DIR = str(tmp_path)
    command = load_command_class("allbuy.tracking", "access_logs_purge")
    with pytest.raises(SystemExit) as exited:
        command.run_from_argv(["manage.py", "access_logs_purge", "--days", days])

    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("CommandError: --days must be")


def test_the_task_purges_with_the_setting(settings, tmp_path, fixed_clock):
    from allbuy.tracking.tasks import access_logs_purge_task

    settings.ALLBUY_ACCESS_LOG_DIR = str(tmp_path)
    settings.ALLBUY_ACCESS_LOG_DAYS = 3
    _touch(tmp_path, "access-2031-04-02.jsonl", "access-2031-04-01.jsonl")

    assert access_logs_purge_task.delay().get() == 1
    assert [p.name for p in tmp_path.iterdir()] == ["access-2031-04-02.jsonl"]


def test_the_purge_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["access-logs-purge"]
    assert entry == {"task": "allbuy.tracking.tasks.access_logs_purge_task", "schedule": 86400.0}


def test_the_access_log_is_the_first_middleware(settings):
    assert settings.MIDDLEWARE[0] == "allbuy.tracking.access_log.AccessLogMiddleware"


def test_a_new_file_is_created_private_to_its_group(tmp_path):
    old = os.umask(0o022)
    try:
        DailyFile(tmp_path).write(b"{}\n", AT.date())
    finally:
        os.umask(old)
    assert (tmp_path / "access-2031-04-05.jsonl").stat().st_mode & 0o777 == 0o640
