"""Staff screens: lists without personal data; change pages decrypt through the privacy app, and it is logged."""

import pytest
from django.core.management import call_command

from allbuy.accounts.models import User
from allbuy.accounts.tests.assertions import html_of
from allbuy.accounts.tests.conftest import MODEL_BACKEND
from allbuy.accounts.tests.factories import address_add, customer_create
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = customer_create("staff@allbuy.example", is_staff=True, is_superuser=True)
    client.force_login(staff, backend=MODEL_BACKEND)
    client.staff = staff
    return client


def test_the_user_list_shows_no_personal_data_and_decrypts_nothing(staff_client, customer):
    address_add(customer)
    html = html_of(staff_client.get("/admin/accounts/user/"))
    assert f"account #{customer.pk}" in html or f">{customer.pk}<" in html
    for secret in ("ada@example.org", "Ada Lovelace", "+442071234567", "Unter den Linden"):
        assert secret not in html
    html_of(staff_client.get("/admin/accounts/address/"))
    assert AccessLogEntry.objects.count() == 0


def test_the_user_change_page_shows_decrypted_details_and_logs_the_read_for_the_customer(staff_client, customer):
    address_add(customer)
    html = html_of(staff_client.get(f"/admin/accounts/user/{customer.pk}/change/"))
    for shown in ("ada@example.org", "Ada Lovelace", "+442071234567", "Unter den Linden 1", "10117 Berlin", "Germany"):
        assert shown in html
    # the encrypted fields are never form fields
    for field in ("contact_email", "full_name", "phone", "email", "password", "subject"):
        assert f'name="{field}"' not in html
    entries = AccessLogEntry.objects.filter(subject=customer.subject)
    assert entries.count() == 2  # the contact details and the address book
    assert {entry.actor_ref for entry in entries} == {f"user:{staff_client.staff.pk}"}
    assert {entry.purpose for entry in entries} == {Purpose.SERVICE}
    assert sorted(entry.fields[0] for entry in entries) == ["accounts.Address.recipient_name", "accounts.User.contact_email"]


def test_a_script_in_a_name_is_escaped_on_the_change_page(staff_client):
    victim = customer_create("v@example.org", full_name="<script>alert(1)</script>")
    html = staff_client.get(f"/admin/accounts/user/{victim.pk}/change/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_staff_can_deactivate_an_account_without_touching_its_encrypted_details(staff_client, customer):
    inline = {"addresses-TOTAL_FORMS": "0", "addresses-INITIAL_FORMS": "0"}
    response = staff_client.post(f"/admin/accounts/user/{customer.pk}/change/", {"is_staff": "", "is_superuser": "", **inline})
    assert response.status_code == 302
    user = User.objects.get(pk=customer.pk)
    assert not user.is_active
    assert user.contact_email.reveal() == "ada@example.org"
    assert user.full_name.reveal() == "Ada Lovelace"


def test_the_address_change_page_is_read_only_and_logged(staff_client, customer):
    address = address_add(customer)
    html = html_of(staff_client.get(f"/admin/accounts/address/{address.pk}/change/"))
    assert "Unter den Linden 1" in html
    assert 'name="line1"' not in html
    entry = AccessLogEntry.objects.get(subject=customer.subject)
    assert "accounts.Address.line1" in entry.fields


def test_staff_find_an_account_by_its_exact_address_without_decrypting(staff_client, customer):
    customer_create("other@example.org")
    html = html_of(staff_client.get("/admin/accounts/user/", {"q": "ADA@example.org"}))
    assert f"/admin/accounts/user/{customer.pk}/change/" in html
    assert "1 result" in html
    assert AccessLogEntry.objects.count() == 0
    assert "0 results" in html_of(staff_client.get("/admin/accounts/user/", {"q": "Ada"}))


def test_createsuperuser_makes_a_staff_account_with_the_address_encrypted(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password-7")
    call_command("createsuperuser", "--email", "Root@AllBuy.example", "--noinput", verbosity=0)
    user = User.objects.get()
    assert user.is_superuser
    assert user.is_staff
    assert user.contact_email.reveal() == "root@allbuy.example"
    assert user.check_password("a-long-admin-password-7")
    assert User.objects.get_by_natural_key("ROOT@allbuy.example") == user


def test_a_superuser_signs_in_to_the_admin_with_the_typed_address(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password-7")
    call_command("createsuperuser", "--email", "root@allbuy.example", "--noinput", verbosity=0)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "Root@AllBuy.example", "password": "a-long-admin-password-7"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_cannot_delete_an_account_in_the_admin(staff_client, customer):
    # deleting the row would not shred the person's keys; accounts are deactivated here instead
    assert staff_client.get(f"/admin/accounts/user/{customer.pk}/delete/").status_code == 403
    assert User.objects.filter(pk=customer.pk).exists()
