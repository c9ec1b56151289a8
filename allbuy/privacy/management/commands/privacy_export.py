"""Print everything AllBuy holds about the account with a given email address, as JSON, for a subject access request."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from allbuy.accounts.identity import email_clean, email_pseudonym
from allbuy.accounts.models import User
from allbuy.privacy.export import subject_data_export


class Command(BaseCommand):
    help = "Print, as JSON, every personal value AllBuy holds about the account with this email address, decrypted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="the account's email address, as the customer types it")

    def handle(self, *args: Any, **options: Any) -> None:
        # Messages never repeat the address: operators' terminals and logs must not collect personal data.
        try:
            address = email_clean(options["email"])
        except ValidationError:
            raise CommandError("That is not a valid email address.") from None
        user = User.objects.filter(email=email_pseudonym(address)).select_related("subject").first()
        if user is None:
            raise CommandError("No account has that email address.")
        # No access-log entry: the export hands the subject their own data. Logging it as an AllBuy read would
        # need a purpose declared for every exported field (essential.legal_obligation is not), and the log is
        # for reads by others; the request itself is the operator's record.
        export = subject_data_export(subject=user.subject)
        self.stdout.write(json.dumps(export, indent=2, sort_keys=True, ensure_ascii=False))
