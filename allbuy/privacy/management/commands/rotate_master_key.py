from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from allbuy.privacy.exceptions import DecryptionError, KeyringError
from allbuy.privacy.keyring import keyring_load
from allbuy.privacy.rotation import data_keys_rewrap, master_key_add_version, master_key_retire


class Command(BaseCommand):
    help = "Rotate the master key: add a new version, re-wrap every data key under it; or retire an old version."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rewrap-only", action="store_true", help="re-wrap data keys under the current version only")
        group.add_argument("--retire", type=int, metavar="VERSION", help="retire a master key version no data key uses")

    def handle(self, *args: Any, rewrap_only: bool = False, retire: int | None = None, **options: Any) -> None:
        try:
            if retire is not None:
                master_key_retire(retire)
                self.stdout.write(f"Retired master key version {retire}.")
                return
            if not rewrap_only:
                version = master_key_add_version()
                self.stdout.write(f"Added master key version {version}; it is now current.")
            changed = data_keys_rewrap()
            self.stdout.write(f"Re-wrapped {changed} data key(s) under master key version {keyring_load().current}.")
        except (KeyringError, DecryptionError) as exc:
            raise CommandError(str(exc)) from None
