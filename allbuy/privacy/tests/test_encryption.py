"""Field encryption: values are stored as AES-GCM ciphertext under per-subject keys, and fail loudly."""

import base64
import hashlib

import pytest
from django.db import connection

from allbuy.accounts.models import User
from allbuy.accounts.services import user_create
from allbuy.privacy import crypto
from allbuy.privacy.exceptions import CiphertextTampered, DataKeyShredded, MasterKeyRetired, WrongMasterKey
from allbuy.privacy.fields import Sealed
from allbuy.privacy.keyring import Keyring, keyring_load
from allbuy.privacy.models import DataKey

pytestmark = pytest.mark.django_db


def raw_column(user: User, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM accounts_user WHERE id = %s", [user.pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture(autouse=True)
def _fresh_key_cache():
    crypto.key_cache_clear()
    yield
    crypto.key_cache_clear()


def test_values_are_stored_encrypted_and_loaded_sealed():
    # given
    user = user_create(email="Zelda.Quux@Example.org", password="a-long-password-1", full_name="Zelda Quux", phone="+33612345678")
    # then the database holds ciphertext only
    stored = raw_column(user, "full_name")
    assert stored.startswith("ab1:")
    assert "Zelda" not in stored
    assert "zelda" not in raw_column(user, "email")
    # and a loaded value is sealed: it cannot be used as text by accident
    loaded = User.objects.get(pk=user.pk)
    assert isinstance(loaded.full_name, Sealed)
    assert str(loaded.full_name) == "••••••"
    assert loaded.full_name.reveal() == "Zelda Quux"
    assert loaded.contact_email.reveal() == "zelda.quux@example.org"


def test_each_subject_has_its_own_key():
    a = user_create(email="a@example.org", full_name="Same Name")
    b = user_create(email="b@example.org", full_name="Same Name")
    key_a = crypto.token_key_id(raw_column(a, "full_name"), field="f")
    key_b = crypto.token_key_id(raw_column(b, "full_name"), field="f")
    assert key_a != key_b
    assert DataKey.objects.get(pk=key_a).subject_id == a.subject_id


def test_encrypted_fields_cannot_be_queried_by_plaintext():
    user_create(email="c@example.org", full_name="Query Me")
    with pytest.raises(TypeError, match="encrypted"):
        list(User.objects.filter(full_name="Query Me"))


def test_tampered_ciphertext_names_field_and_version():
    user = user_create(email="d@example.org", full_name="Tamper Target")
    token = raw_column(user, "full_name")
    prefix, key_id, payload = token.split(":")
    blob = bytearray(base64.b64decode(payload))
    blob[-1] ^= 1
    forged = Sealed(f"{prefix}:{key_id}:{base64.b64encode(bytes(blob)).decode()}", "accounts.User.full_name")
    with pytest.raises(CiphertextTampered) as caught:
        forged.reveal()
    assert "accounts.User.full_name" in str(caught.value)
    assert "version 1" in str(caught.value)


def test_ciphertext_moved_to_another_field_fails():
    user = user_create(email="e@example.org", full_name="Moved Value", phone="+442071234567")
    moved = Sealed(raw_column(user, "full_name"), "accounts.User.phone")
    with pytest.raises(CiphertextTampered):
        moved.reveal()


def test_wrong_master_key_is_a_specific_error(settings):
    user = user_create(email="f@example.org", full_name="Wrong Key")
    crypto.key_cache_clear()
    settings.ALLBUY_MASTER_KEY = "1:" + base64.b64encode(b"x" * 32).decode()
    keyring_load(reload=True)
    try:
        with pytest.raises(WrongMasterKey) as caught:
            User.objects.get(pk=user.pk).full_name.reveal()
        assert caught.value.field == "accounts.User.full_name"
        assert caught.value.key_version == 1
    finally:
        settings.ALLBUY_MASTER_KEY = "1:dGVzdC1vbmx5LW1hc3Rlci1rZXktLS0tLS0tLS0tLS0="
        keyring_load(reload=True)


def test_retired_master_key_version_is_a_specific_error(monkeypatch):
    user = user_create(email="g@example.org", full_name="Retired")
    crypto.key_cache_clear()
    current = keyring_load()
    retired = Keyring(keys={2: b"n" * 32}, current=2, retired=frozenset({1}))
    monkeypatch.setattr("allbuy.privacy.crypto.keyring_load", lambda **kw: retired)
    with pytest.raises(MasterKeyRetired) as caught:
        User.objects.get(pk=user.pk).full_name.reveal()
    assert caught.value.key_version == 1
    assert "retired" in str(caught.value)
    assert current.current == 1


def test_shredding_a_subject_makes_its_data_unreadable():
    user = user_create(email="h@example.org", full_name="Forget Me", phone="+4915112345678")
    other = user_create(email="i@example.org", full_name="Keep Me")
    assert crypto.subject_keys_shred(subject_id=str(user.subject_id)) == 1
    crypto.key_cache_clear()
    with pytest.raises(DataKeyShredded):
        User.objects.get(pk=user.pk).full_name.reveal()
    assert User.objects.get(pk=other.pk).full_name.reveal() == "Keep Me"


def test_blind_index_is_stable_normalised_and_keyed():
    a = crypto.blind_index("  Ada@Example.ORG ")
    assert a == crypto.blind_index("ada@example.org")
    assert a != crypto.blind_index("ada@example.com")
    assert len(a) == 64
    # keyed: not the plain hash anyone could compute from a list of addresses
    assert a != hashlib.sha256(b"email|ada@example.org").hexdigest()
    assert a != hashlib.sha256(b"ada@example.org").hexdigest()


def test_a_key_created_in_a_rolled_back_transaction_is_never_used_afterwards():
    from django.db import transaction

    from allbuy.privacy.services import subject_create

    subject = subject_create()

    # given a data key created inside a transaction that then fails
    def fail_after_encrypting() -> None:
        with transaction.atomic():
            crypto.encrypt_value("first try", subject_id=str(subject.pk), scope="tax", field="orders.Order.ship_name")
            raise RuntimeError("payment failed")

    with pytest.raises(RuntimeError):
        fail_after_encrypting()
    assert not DataKey.objects.filter(subject=subject, scope="tax").exists()
    # when the subject's data is encrypted again
    token = crypto.encrypt_value("second try", subject_id=str(subject.pk), scope="tax", field="orders.Order.ship_name")
    # then it is under a key that exists, and decrypts in a fresh process
    assert DataKey.objects.filter(pk=crypto.token_key_id(token, field="f"), subject=subject).exists()
    crypto.key_cache_clear()
    assert crypto.decrypt_value(token, field="orders.Order.ship_name") == "second try"
