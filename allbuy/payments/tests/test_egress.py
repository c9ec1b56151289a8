"""What leaves AllBuy for the payment processor is exactly what the data map declares, and nothing of the card stays.

(a) the fields of the request types are the declared egress, field for field; (b) a card never prints; (c) after a
payment no table holds the card number or CVC; (d) nor does any log line.
"""

import dataclasses
import logging
import re
import typing
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from allbuy.payments.gateway import AuthorizeRequest, Card, card_parse
from allbuy.payments.tests.conftest import NOW, eur
from allbuy.privacy.checks import FORBIDDEN_PURPOSE
from allbuy.privacy.datamap import EGRESS, Purpose, Recipient, egress_items_for
from allbuy.privacy.policy import policy_tables

NUMBER = "4539 1488 0343 6467"  # not a test card: an ordinary approval
DIGITS = NUMBER.replace(" ", "")
CVC = "7391"


def sent_items(cls: type) -> set[str]:
    """Return "payments.Type.field" for every field a request type carries, the payments types within it unfolded."""
    hints = typing.get_type_hints(cls)
    items: set[str] = set()
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        if dataclasses.is_dataclass(hint) and hint.__module__.startswith("allbuy.payments"):
            items |= sent_items(typing.cast(type, hint))
        else:
            items.add(f"payments.{cls.__name__}.{field.name}")
    return items


def request_make(key: str = "egress-1") -> AuthorizeRequest:
    card = card_parse(number=NUMBER, exp_month=9, exp_year=2029, cvc=CVC, now=NOW)
    return AuthorizeRequest(reference="AB-2001", amount=eur("49.00"), idempotency_key=key, card=card)


# -- (a) the request types are the declaration -------------------------------------------------------------------


def test_what_the_processor_receives_is_exactly_what_egress_declares():
    assert sent_items(AuthorizeRequest) == set(egress_items_for(Recipient.PAYMENT_PROCESSOR))
    assert {f"payments.Card.{f.name}" for f in dataclasses.fields(Card)} <= sent_items(AuthorizeRequest)


def test_a_new_field_without_a_declaration_is_caught():
    @dataclasses.dataclass(frozen=True)
    class AuthorizeRequestWithEmail:
        reference: str
        amount: Any
        idempotency_key: str
        card: Card
        shopper_email: str

    @dataclasses.dataclass(frozen=True)
    class CardWithName:
        number: str
        holder_name: str

    declared = set(egress_items_for(Recipient.PAYMENT_PROCESSOR))
    assert "payments.AuthorizeRequestWithEmail.shopper_email" in sent_items(AuthorizeRequestWithEmail) - declared
    assert "payments.CardWithName.holder_name" in sent_items(CardWithName) - declared


def test_the_card_data_is_declared_personal_and_never_stored():
    card_egress = [e for e in EGRESS if "payments.Card.number" in e.items]
    assert len(card_egress) == 1
    (egress,) = card_egress
    assert set(egress.items) == {f"payments.Card.{f.name}" for f in dataclasses.fields(Card)}
    assert egress.personal
    assert egress.category.startswith("user.financial")
    assert not egress.stored_by_allbuy
    for declared in EGRESS:
        assert declared.recipient in set(Recipient)
        assert declared.purpose in set(Purpose)
        assert not FORBIDDEN_PURPOSE.search(declared.purpose.value)


# -- (b) a card never prints -------------------------------------------------------------------------------------


def test_no_representation_shows_the_number_or_the_cvc():
    request = request_make()
    for text in (repr(request.card), str(request.card), repr(request), str(request), f"{request}", str([request])):
        assert DIGITS not in text
        assert DIGITS[6:12] not in text
        assert CVC not in text
        assert "6467" in text


# -- (c) nothing of the card is stored ---------------------------------------------------------------------------

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField, models.GenericIPAddressField)
CVC_ALONE = re.compile(rf"(?<![0-9a-f]){CVC}(?![0-9a-f])", re.IGNORECASE)


def stored_text() -> list[tuple[str, str]]:
    """Return (table.column, raw value) for every textual column of every model's table, read without decrypting."""
    tables = set(connection.introspection.table_names())
    found: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if model._meta.proxy or table not in tables:
                continue
            for field in model._meta.concrete_fields:
                if not isinstance(field, TEXT_FIELDS):
                    continue
                cursor.execute(f"SELECT {connection.ops.quote_name(field.column)} FROM {connection.ops.quote_name(table)}")  # noqa: S608
                found += [(f"{table}.{field.column}", _text(value)) for (value,) in cursor.fetchall() if value is not None]
    return found


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def card_traces(rows: list[tuple[str, str]]) -> list[str]:
    return [where for where, value in rows if DIGITS in value.replace(" ", "").replace("-", "") or CVC_ALONE.search(value)]


@pytest.mark.django_db
def test_after_a_payment_no_table_holds_the_card_number_or_the_cvc(gateway):
    result = gateway.authorize(request_make())
    gateway.capture(gateway_ref=result.gateway_ref, amount=eur("49.00"), idempotency_key="egress-cap")
    rows = stored_text()
    assert any(value == result.gateway_ref for _, value in rows)  # the scan really reads the ledger
    assert any(value == "6467" for _, value in rows)  # which keeps the last four digits, as declared
    assert card_traces(rows) == []


@pytest.mark.django_db
def test_the_scan_finds_a_card_number_when_there_is_one(gateway):
    from allbuy.payments.models import TestGatewayCharge

    gateway.authorize(request_make())
    TestGatewayCharge.objects.update(reference=NUMBER)
    assert card_traces(stored_text()) == ["payments_testgatewaycharge.reference"]
    TestGatewayCharge.objects.update(reference=f"cvc {CVC}")
    assert card_traces(stored_text()) == ["payments_testgatewaycharge.reference"]


# -- (d) nothing of the card is logged ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_log_line_or_query_carries_the_card_number(gateway, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")  # Django's own loggers stop at INFO otherwise
    with CaptureQueriesContext(connection) as queries:  # also logs every SQL statement at DEBUG
        gateway.authorize(request_make())
        gateway.authorize(request_make())  # a replay
    assert any("authorize" in record.getMessage() for record in caplog.records)
    assert any(record.name == "django.db.backends" for record in caplog.records)
    logged = "\n".join(f"{record.getMessage()} {record.args!r}" for record in caplog.records)
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    for text in (logged, caplog.text, sql):
        assert DIGITS not in text.replace(" ", "")
        assert not CVC_ALONE.search(text)


# -- the public policy shows it ----------------------------------------------------------------------------------


def capfirst(text: str) -> str:
    return escape(text[:1].upper() + text[1:])


@pytest.mark.django_db
def test_the_privacy_policy_lists_what_we_send_to_processors(client: Client):
    html = client.get("/privacy").content.decode()
    assert '<h3 id="what-we-send">What we send to processors</h3>' in html
    assert 'href="#what-we-send"' in html
    for egress in EGRESS:
        assert capfirst(egress.description) in html
    assert "No — passed straight to them, never stored" in html
    assert "user.financial.credit_card" in html
    assert len(policy_tables().egress) == len(EGRESS)
    assert Recipient.PAYMENT_PROCESSOR.value in policy_tables().egress_recipients
