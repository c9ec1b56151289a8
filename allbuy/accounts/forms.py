from allauth.account.forms import LoginForm as AllauthLoginForm
from django.core.exceptions import ValidationError

from allbuy.accounts.identity import email_clean, email_pseudonym


class LoginForm(AllauthLoginForm):
    """allauth's login form, looking accounts up by the address's blind index."""

    def clean_login(self) -> str:
        login = super().clean_login()
        try:
            return email_pseudonym(email_clean(login))
        except ValidationError:
            return login  # fails authentication like any unknown address, with the same message
