"""Customers sign up, fill in their profile and address book through the real pages; then the raw database
(every byte of the SQLite file, every row of every table on PostgreSQL) holds none of what they typed."""

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db

CUSTOMERS = [
    {
        "email": "Quillon.Zyzzyva@Xylophage-Mail.example",
        "name": "Quillon Zyzzyva-Marchetti",
        "phone": "+44 20 7946 0958",
        "line1": "17 Thistlewood Crescent",
        "line2": "Flat Brackenfold",
        "city": "Wyvernhampton",
        "postcode": "WV9 5QZ",
        "country": "GB",
    },
    {
        "email": "ottoline.vandermeersch@quernstone.example",
        "name": "Ottoline Vandermeersch",
        "phone": "+49 30 90182736",
        "line1": "Klapperschlangenweg 42",
        "line2": "Hinterhaus Quergebäude",
        "city": "Zwieselbrück",
        "postcode": "10997",
        "country": "DE",
    },
]


def needles(customer: dict[str, str]) -> list[str]:
    """Every distinctive string a customer typed, in the forms it could be stored in."""
    values = [customer[k] for k in ("email", "name", "line1", "line2", "city")]
    values += [customer["email"].lower(), customer["email"].split("@")[0].lower(), customer["name"].split()[-1]]
    digits = re.sub(r"\D", "", customer["phone"])
    values += [customer["phone"], "+" + digits, digits[-8:]]
    if customer["postcode"].startswith("WV"):
        values.append(customer["postcode"])
    return values


def sign_up_and_fill_in(customer: dict[str, str], mailoutbox: list) -> None:
    client = Client()
    password = "correct-horse-battery-staple-42"
    response = client.post(
        "/accounts/signup/", {"email": customer["email"], "password1": password, "password2": password}, follow=True
    )
    assert response.status_code == 200
    # the confirmation mail goes to the real address; confirming it signs the customer in
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", mailoutbox[-1].body)
    assert match, mailoutbox[-1].body
    link = match.group(1)
    assert client.post(link, follow=True).status_code == 200
    # a failed sign-in (django-axes counts it) and a successful one
    client.logout()
    client.post("/accounts/login/", {"login": customer["email"], "password": "wrong-password-1"})
    assert client.post("/accounts/login/", {"login": customer["email"].upper(), "password": password}).status_code == 302
    response = client.post("/accounts/profile/", {"full_name": customer["name"], "phone": customer["phone"]}, follow=True)
    assert response.status_code == 200
    address = {k: customer[k] for k in ("line1", "line2", "city", "postcode", "country", "phone")}
    response = client.post("/accounts/addresses/new/", {**address, "recipient_name": customer["name"]}, follow=True)
    assert response.status_code == 200
    # and the customer's own pages show what they typed (so it really was stored)
    assert customer["city"] in client.get("/accounts/addresses/").content.decode()
    assert customer["name"] in client.get("/accounts/profile/").content.decode()
    client.post("/accounts/password/reset/", {"email": customer["email"]})


def raw_database_text(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        # The bytes of the database file, exactly as SQLite would write them (the test database lives in
        # memory, inside the test's open transaction; serialize() includes what that transaction wrote).
        connection.ensure_connection()
        image = connection.connection.serialize()
        copy = tmp_path / "copy.sqlite3"
        copy.write_bytes(image)
        return copy.read_bytes().decode("utf-8", errors="replace")
    with connection.cursor() as cursor:  # a pg_dump-equivalent: every row of every table, as text
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        dumped: list[str] = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - names from the catalog
            dumped.extend(row[0] for row in cursor.fetchall())
        return "\n".join(dumped)


def test_no_personal_value_is_stored_in_plaintext(mailoutbox, tmp_path):
    for customer in CUSTOMERS:
        sign_up_and_fill_in(customer, mailoutbox)
    dump = raw_database_text(tmp_path)
    assert len(dump) > 10_000  # the dump really holds the database
    assert "ab1:" in dump  # and the encrypted values are in it
    found = {needle for customer in CUSTOMERS for needle in needles(customer) if needle.lower() in dump.lower()}
    assert not found, f"plaintext personal data in the database: {sorted(found)}"


def test_the_scan_finds_plaintext_when_there_is_some(tmp_path):
    # the scan itself can fail: a value stored in plaintext is found
    from allbuy.catalog.tests.factories import BrandFactory

    BrandFactory(name="Quillon Zyzzyva-Marchetti", slug="canary")
    assert "Quillon Zyzzyva-Marchetti" in raw_database_text(tmp_path)
