"""The data export: every stored personal value of one subject, in plaintext, driven by the data map."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from allbuy.accounts.models import PSEUDONYM_DOMAIN
from allbuy.privacy.datamap import DATA_MAP, Purpose
from allbuy.privacy.export import subject_data_export
from allbuy.privacy.models import AccessLogEntry, PolicyAcknowledgement, PolicyVersion
from allbuy.privacy.services import Actor, personal_data_read

pytestmark = pytest.mark.django_db


def export_command(email: str) -> dict:
    out = StringIO()
    call_command("privacy_export", "--email", email, stdout=out)
    return json.loads(out.getvalue())


def plaintexts(customer, addresses) -> list[str]:
    return [
        "ada.lovelace@example.org",
        "Ada Lovelace",
        "+44 20 7946 0018",
        *(value for address in addresses for value in address.values()),
    ]


def order_placed_for(customer) -> None:
    from allbuy.accounts.services import address_create
    from allbuy.cart.services import cart_for_user, cart_line_add
    from allbuy.catalog.tests.factories import VariantFactory
    from allbuy.orders.services import order_place
    from allbuy.orders.tests.factories import card

    cart = cart_for_user(user=customer)
    cart_line_add(cart=cart, variant_id=VariantFactory.create().pk)
    address = address_create(
        user=customer,
        recipient_name="Ada",
        line1="1 Strand",
        city="London",
        postcode="WC2N 5HR",
        country="GB",
        phone="+44 20 7946 0000",
    )
    order_place(
        user=customer, cart=cart, address_id=address.pk, shipping_code="standard", idempotency_key="export-1", card=card()
    )


@pytest.fixture
def addresses(customer, address_add) -> list[dict[str, str]]:
    first = {
        "recipient_name": "Ada King",
        "line1": "12 Saint James Square",
        "line2": "Flat 3",
        "city": "London",
        "region": "Greater London",
        "postcode": "SW1Y 4JH",
        "country": "United Kingdom",
        "phone": "+44 7700 900123",
    }
    second = {
        **first,
        "recipient_name": "Ada Byron",
        "line1": "Ockham Park",
        "line2": "",
        "city": "Ockham",
        "region": "Surrey",
        "postcode": "GU23 6NP",
        "phone": "+44 7700 900456",
    }
    address_add(customer, **first)
    address_add(customer, **second)
    return [first, second]


def test_every_exported_field_of_the_data_map_is_in_the_export(customer, addresses):
    order_placed_for(customer)
    export = subject_data_export(subject=customer.subject)
    for decl in DATA_MAP:
        if decl.exported:
            rows = export["data"][decl.model_label]
            assert rows, decl.field
            assert all(decl.name in row for row in rows), decl.field
            assert export["field_descriptions"][decl.field] == decl.description
        else:
            assert decl.field not in export["field_descriptions"]


def test_the_command_prints_every_personal_value_in_plaintext(customer, addresses):
    out = StringIO()
    call_command("privacy_export", "--email", "  Ada.Lovelace@Example.org ", stdout=out)
    text = out.getvalue()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    export = json.loads(text)
    assert export["subject"] == str(customer.subject_id)
    assert export["data"]["accounts.User"] == [
        {"contact_email": "ada.lovelace@example.org", "full_name": "Ada Lovelace", "phone": "+44 20 7946 0018"}
    ]
    assert export["data"]["accounts.Address"] == addresses
    for value in plaintexts(customer, addresses):
        assert value in text
    # nothing encrypted, hashed or pseudonymous leaks into it
    assert "ab1:" not in text
    assert PSEUDONYM_DOMAIN not in text
    assert customer.password not in text


def test_the_export_includes_the_access_log_and_acknowledgements(customer, staff_make):
    staff = staff_make()
    personal_data_read(
        actor=Actor.staff(staff, team="AllBuy customer support"),
        subject=customer.subject,
        instance=customer,
        fields=["phone"],
        purpose=Purpose.SERVICE,
        context={"ticket": "T-7"},
    )
    PolicyAcknowledgement.objects.create(user=customer, version=PolicyVersion.objects.get(version="1.0"), at=customer.date_joined)
    export = export_command("ada.lovelace@example.org")
    [entry] = export["access_log"]
    assert entry["actor"] == "AllBuy customer support"
    assert entry["fields"] == ["accounts.User.phone"]
    assert entry["field_descriptions"] == ["your phone number"]
    assert entry["purpose"] == "essential.service"
    assert entry["context"] == {"ticket": "T-7"}
    assert f"user:{staff.pk}" not in json.dumps(export)
    assert export["policy_acknowledgements"] == [{"version": "1.0", "at": customer.date_joined.isoformat()}]


def test_exporting_writes_no_access_log_entry(customer, addresses):
    export_command("ada.lovelace@example.org")
    assert not AccessLogEntry.objects.exists()


def test_other_subjects_never_appear(customer, addresses, customer_make, address_add):
    other = customer_make("grace@example.org", full_name="Grace Brewster", phone="+1 555 0100")
    address_add(other, recipient_name="Grace B. Murray", line1="1 Navy Yard")
    text = json.dumps(export_command("ada.lovelace@example.org"))
    for value in ("grace@example.org", "Grace Brewster", "+1 555 0100", "Grace B. Murray", "1 Navy Yard"):
        assert value not in text


@pytest.mark.parametrize("address", ["nobody@example.org", "not-an-address", "", "a@b@c", "x@users.allbuy.invalid"])
def test_unknown_or_malformed_addresses_fail_with_one_readable_line(customer, address):
    with pytest.raises(CommandError) as error:
        call_command("privacy_export", "--email", address, stdout=StringIO())
    message = str(error.value)
    assert "\n" not in message
    assert message in ("No account has that email address.", "That is not a valid email address.")
    assert address.strip() == "" or address not in message  # the address is not echoed back


def test_the_command_exits_non_zero_from_the_command_line(customer, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "privacy_export", "--email", "nobody@example.org"]).execute()
    assert exit_info.value.code != 0
    err = capsys.readouterr().err.strip()
    assert err == "CommandError: No account has that email address."


def test_an_exported_field_whose_rows_cannot_be_found_by_subject_fails_loudly(customer, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from allbuy.privacy import export
    from allbuy.privacy.datamap import declaration_for

    monkeypatch.setattr(
        export, "data_map_models", lambda **_: [("account.EmailAddress", (declaration_for("account.EmailAddress.email"),))]
    )
    with pytest.raises(ImproperlyConfigured, match=r"account\.EmailAddress"):
        subject_data_export(subject=customer.subject)
