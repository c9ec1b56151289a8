"""The data map and the schema cannot drift apart, and no purpose can sell personal data."""

import dataclasses
from enum import StrEnum

import pytest
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from allbuy.privacy.checks import data_map_errors
from allbuy.privacy.datamap import DATA_MAP, RETENTION, LegalBasis, PersonalField, Purpose, Recipient
from allbuy.privacy.fields import EncryptedTextField


def ids(errors):
    return sorted({e.id for e in errors})


def test_the_shipped_data_map_passes_the_check():
    assert data_map_errors() == []
    call_command("check", "--tag", "privacy")  # raises SystemCheckError on any error


@isolate_apps("allbuy.privacy")
def test_an_undeclared_personal_field_fails_the_check():
    # given a new model someone adds with a phone number and no declaration
    class LoyaltyCard(models.Model):  # noqa: DJ008
        holder_phone = models.CharField(max_length=30)
        points = models.IntegerField()

        class Meta:
            app_label = "privacy"

    # then the check names it
    errors = data_map_errors(model_list=[LoyaltyCard])
    assert ids(errors) == ["privacy.E002"]
    assert "privacy.LoyaltyCard.holder_phone" in errors[0].msg


@isolate_apps("allbuy.privacy")
def test_an_undeclared_encrypted_field_fails_whatever_its_name():
    class Note(models.Model):  # noqa: DJ008
        subject = models.ForeignKey("privacy.DataSubject", on_delete=models.CASCADE)
        body = EncryptedTextField()

        class Meta:
            app_label = "privacy"

    assert "privacy.E002" in ids(data_map_errors(model_list=[Note]))


def test_a_declared_field_that_does_not_exist_fails():
    ghost = dataclasses.replace(DATA_MAP[0], field="accounts.User.shoe_size")
    errors = data_map_errors(declarations=[*DATA_MAP, ghost], model_list=[])
    assert ids(errors) == ["privacy.E001"]


def test_a_purpose_the_policy_does_not_list_fails():
    bogus = dataclasses.replace(DATA_MAP[0], purposes=("advertising.third_party",))  # type: ignore[arg-type]
    assert ids(data_map_errors(declarations=[bogus], model_list=[])) == ["privacy.E003"]


def test_declared_encrypted_but_stored_in_plaintext_fails():
    plain = PersonalField(
        "catalog.Product.description", "user.name", "x", (Purpose.SERVICE,), (Recipient.ALLBUY,), "profile", LegalBasis.CONTRACT
    )
    assert ids(data_map_errors(declarations=[plain], model_list=[])) == ["privacy.E004"]


def test_there_is_no_sale_purpose_and_adding_one_fails_the_check():
    assert not [p for p in Purpose if "sale" in p.value or "sell" in p.value]

    class WithSale(StrEnum):
        SERVICE = "essential.service"
        SALE = "marketing.sale_of_data"

    assert "privacy.E010" in ids(data_map_errors(declarations=[], model_list=[], purposes=WithSale))


def test_every_declaration_is_complete():
    for decl in DATA_MAP:
        assert decl.category.startswith("user."), decl.field
        assert decl.purposes, decl.field
        assert decl.recipients, decl.field
        assert decl.retention in RETENTION, decl.field
        assert decl.description, decl.field


def test_merchants_and_carriers_receive_only_shipping_fields_for_shipping():
    for decl in DATA_MAP:
        for recipient in (Recipient.MERCHANT, Recipient.CARRIER):
            if recipient in decl.recipients:
                assert decl.model_label in ("accounts.Address", "orders.Order"), decl.field
                assert decl.allows(recipient=recipient, purpose=Purpose.SHIPPING)
                assert not decl.allows(recipient=recipient, purpose=Purpose.MARKETING_EMAIL)
    emails = [d for d in DATA_MAP if d.category == "user.contact.email"]
    assert all(Recipient.MERCHANT not in d.recipients and Recipient.CARRIER not in d.recipients for d in emails)


@pytest.mark.parametrize("name", ["email", "customer_phone", "ip_address", "street", "full_name", "postcode", "user_agent"])
def test_the_personal_name_heuristic_catches_common_names(name):
    from allbuy.privacy.checks import holds_personal_data

    field: models.CharField[str, str] = models.CharField(max_length=10)
    field.name = name
    assert holds_personal_data(field)


@pytest.mark.parametrize("purpose", [p for p in Purpose if p != Purpose.SHIPPING])
def test_merchants_and_carriers_may_read_for_shipping_and_nothing_else(purpose):
    for decl in DATA_MAP:
        for recipient in (Recipient.MERCHANT, Recipient.CARRIER):
            assert not decl.allows(recipient=recipient, purpose=purpose), (decl.field, recipient, purpose)
    ship_to = [d for d in DATA_MAP if d.model_label == "orders.Order"]
    assert {d.name for d in ship_to} == {"recipient_name", "line1", "line2", "city", "region", "postcode", "country", "phone"}
    assert all(d.allows(recipient=Recipient.CARRIER, purpose=Purpose.SHIPPING) for d in ship_to)
