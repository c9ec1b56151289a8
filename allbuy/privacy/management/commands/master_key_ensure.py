from typing import Any

from django.core.management.base import BaseCommand, CommandError

from allbuy.privacy.exceptions import KeyringError
from allbuy.privacy.keyring import keyring_load


class Command(BaseCommand):
    help = "Load the master keyring, creating the embedded default's key file on first use (and saying so)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            keyring = keyring_load(reload=True)
        except KeyringError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Master key: version {keyring.current} current ({'environment' if keyring.source == 'environment' else 'key file'})."
        )
