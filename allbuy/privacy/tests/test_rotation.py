"""Master-key rotation keeps every value readable, and retired versions fail with a specific error."""

import base64
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from allbuy.accounts.models import User
from allbuy.accounts.services import user_create
from allbuy.privacy import crypto
from allbuy.privacy.exceptions import MasterKeyRetired
from allbuy.privacy.keyring import keyring_load, keyring_reset
from allbuy.privacy.models import DataKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(settings, tmp_path):
    """Use a key file (as the embedded default does) instead of the test key from the environment."""
    path = tmp_path / "master-keys.json"
    path.write_text(json.dumps({"current": 1, "keys": {"1": base64.b64encode(b"k" * 32).decode()}, "retired": []}))
    settings.ALLBUY_MASTER_KEY = ""
    settings.ALLBUY_MASTER_KEY_FILE = str(path)
    keyring_reset()
    crypto.key_cache_clear()
    yield path
    keyring_reset()
    crypto.key_cache_clear()


def run(*args: str) -> str:
    out = StringIO()
    call_command("rotate_master_key", *args, stdout=out)
    return out.getvalue()


def test_rotation_rewraps_every_key_and_values_stay_readable(key_file):
    # given customers encrypted under master key version 1
    users = [user_create(email=f"rot{i}@example.org", full_name=f"Rotating Person {i}") for i in range(3)]
    assert set(DataKey.objects.values_list("master_version", flat=True)) == {1}
    # when the key is rotated
    output = run()
    # then every data key is wrapped by version 2, and every value still decrypts
    assert "version 2" in output
    assert set(DataKey.objects.values_list("master_version", flat=True)) == {2}
    crypto.key_cache_clear()
    for i, user in enumerate(users):
        assert User.objects.get(pk=user.pk).full_name.reveal() == f"Rotating Person {i}"


def test_old_version_keeps_decrypting_until_retired(key_file):
    user = user_create(email="old@example.org", full_name="Old Key")
    stale = DataKey.objects.get(subject=user.subject)
    run()
    # a data key another process created under version 1 during the rotation still unwraps
    DataKey.objects.filter(pk=stale.pk).update(master_version=1, wrapped=stale.wrapped)
    crypto.key_cache_clear()
    assert User.objects.get(pk=user.pk).full_name.reveal() == "Old Key"
    # and retiring version 1 is refused while it is in use
    with pytest.raises(CommandError, match="still wraps 1 data key"):
        run("--retire", "1")
    run("--rewrap-only")
    run("--retire", "1")
    assert 1 in keyring_load().retired
    stored = json.loads(key_file.read_text())
    assert "1" not in stored["keys"]  # the retired key material is destroyed
    assert stored["retired"] == [1]


def test_retired_version_gives_a_specific_error(key_file):
    user = user_create(email="ret@example.org", full_name="Retired Version")
    stale = DataKey.objects.get(subject=user.subject)
    run()
    run("--retire", "1")
    DataKey.objects.filter(pk=stale.pk).update(master_version=1, wrapped=stale.wrapped)
    crypto.key_cache_clear()
    with pytest.raises(MasterKeyRetired) as caught:
        User.objects.get(pk=user.pk).full_name.reveal()
    assert caught.value.key_version == 1
    assert caught.value.field == "accounts.User.full_name"


def test_current_version_cannot_be_retired(key_file):
    with pytest.raises(CommandError, match="is current"):
        run("--retire", "1")


def test_env_configured_keys_explain_how_to_rotate(settings):
    settings.ALLBUY_MASTER_KEY = "1:dGVzdC1vbmx5LW1hc3Rlci1rZXktLS0tLS0tLS0tLS0="
    with pytest.raises(CommandError, match="add a new version there"):
        run()


def test_the_embedded_default_creates_its_key_file_once(settings, tmp_path, capsys):
    path = tmp_path / "var" / "master-keys.json"
    settings.ALLBUY_MASTER_KEY = ""
    settings.ALLBUY_MASTER_KEY_FILE = str(path)
    settings.ALLBUY_MASTER_KEY_AUTOCREATE = True
    try:
        keyring_reset()
        out = StringIO()
        call_command("master_key_ensure", stdout=out)
        assert "generated a new master key" in capsys.readouterr().out
        assert path.stat().st_mode & 0o077 == 0  # readable by its owner only
        first = json.loads(path.read_text())
        keyring_reset()
        call_command("master_key_ensure", stdout=out)
        assert json.loads(path.read_text()) == first  # a second run keeps the key
    finally:
        keyring_reset()


def test_a_worker_that_loses_the_race_uses_the_winners_key(tmp_path):
    from allbuy.privacy.keyring import _keyring_file_create

    path = tmp_path / "master-keys.json"
    winner = _keyring_file_create(path)
    loser = _keyring_file_create(path)
    assert loser.keys == winner.keys
    assert sorted(p.name for p in tmp_path.iterdir()) == ["master-keys.json"]


def test_production_style_settings_without_a_key_fail_with_one_line(settings, tmp_path):
    settings.ALLBUY_MASTER_KEY = ""
    settings.ALLBUY_MASTER_KEY_FILE = str(tmp_path / "missing.json")
    settings.ALLBUY_MASTER_KEY_AUTOCREATE = False
    try:
        keyring_reset()
        with pytest.raises(CommandError, match="no master key"):
            call_command("master_key_ensure")
    finally:
        keyring_reset()
