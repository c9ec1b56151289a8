"""Forms of the account pages. Checks live in `validators` and the services; forms map their errors to fields."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from allbuy.accounts.countries import COUNTRY_CHOICES
from allbuy.accounts.identity import MAX_EMAIL_LENGTH, email_clean, email_pseudonym
from allbuy.accounts.models import User
from allbuy.accounts.services import profile_values_clean
from allbuy.accounts.validators import (
    CITY_MAX_LENGTH,
    LINE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    POSTCODE_MAX_LENGTH,
    address_values_clean,
)


class LoginForm(AllauthLoginForm):
    """allauth's login form, looking accounts up by the address's blind index."""

    def clean_login(self) -> str:
        login = super().clean_login()
        try:
            return email_pseudonym(email_clean(login))
        except ValidationError:
            return login  # fails authentication like any unknown address, with the same message

    def clean(self) -> Any:
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "too_many_login_attempts" and self.request is not None:
                # allauth's own limit on failures per address stops the attempt before django-axes sees it;
                # flag it the way axes flags a lockout, so its middleware answers with the same lockout page.
                self.request.axes_locked_out = True
            raise


def _text(label: str, max_length: int, autocomplete: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


def _phone(label: str, autocomplete: str, *, required: bool, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=PHONE_MAX_LENGTH,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": autocomplete, "inputmode": "tel"}),
    )


class FieldErrorsMixin:
    """Put a ValidationError raised by a shared check on the fields it names."""

    def _value(self, name: str) -> str:
        form: Any = self
        value = form.cleaned_data.get(name)
        return str(value) if value is not None else str(form.data.get(name, ""))

    def add_errors_from(self, error: ValidationError, *, field: str | None = None) -> None:
        """Add the errors of `error` to the fields it names (a plain error goes on `field`, or the whole form)."""
        form: Any = self
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                if name not in form.errors:  # one message per field: the field's own check speaks first
                    form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(field, error)


class ProfileForm(FieldErrorsMixin, forms.Form):
    full_name = _text("Full name", NAME_MAX_LENGTH, "name", required=False)
    phone = _phone("Phone", "tel", required=False, help_text="With the country code, for example +49 30 1234567.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned.update(profile_values_clean(full_name=self._value("full_name"), phone=self._value("phone")))
        except ValidationError as error:
            self.add_errors_from(error)
        return cleaned


class AddressForm(FieldErrorsMixin, forms.Form):
    recipient_name = _text("Recipient’s full name", NAME_MAX_LENGTH, "shipping name")
    line1 = _text("Street and house number", LINE_MAX_LENGTH, "shipping address-line1")
    line2 = _text("Apartment, floor, company", LINE_MAX_LENGTH, "shipping address-line2", required=False)
    postcode = _text(
        "Postcode",
        POSTCODE_MAX_LENGTH,
        "shipping postal-code",
        required=False,
        help_text="Leave it empty only where addresses have none, such as Hong Kong.",
    )
    city = _text("City", CITY_MAX_LENGTH, "shipping address-level2")
    region = _text(
        "State, province or region",
        CITY_MAX_LENGTH,
        "shipping address-level1",
        required=False,
        help_text="Needed in the US, Canada, Australia, China, Japan, India, Brazil and Mexico.",
    )
    country = forms.ChoiceField(
        label="Country",
        choices=[("", "Choose a country"), *COUNTRY_CHOICES],
        error_messages={"invalid_choice": "Choose a country from the list.", "required": "Choose a country."},
        widget=forms.Select(attrs={"autocomplete": "shipping country"}),
    )
    phone = _phone(
        "Phone for the delivery",
        "shipping tel",
        required=True,
        help_text="The carrier may call or text about the delivery.",
    )
    is_default = forms.BooleanField(label="Use as my default delivery address", required=False)

    # Required or not depending on the country: the label shows no "(optional)" for these.
    conditional_fields = ("postcode", "region")

    def __init__(self, *args: Any, with_default: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_default:
            del self.fields["is_default"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned.update(address_values_clean({name: self._value(name) for name in self.address_fields()}))
        except ValidationError as error:
            self.add_errors_from(error)
        return cleaned

    def address_fields(self) -> list[str]:
        return [name for name in self.fields if name != "is_default"]


class EmailChangeForm(FieldErrorsMixin, forms.Form):
    email = forms.EmailField(
        label="New email address",
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="So nobody who finds your device signed in can take over your account.",
    )

    def __init__(self, *args: Any, user: User, request: HttpRequest, **kwargs: Any) -> None:
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        return email_clean(self.cleaned_data["email"])

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.has_usable_password():
            raise ValidationError("Set a password for your account first, then change your email address.", code="no_password")
        # Through authenticate(), so wrong passwords count towards the same lockout as at sign-in.
        checked = authenticate(self.request, email=self.user.email, password=password)
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError("That is not your current password.", code="password_incorrect")
        return password


class EmailChangeConfirmForm(FieldErrorsMixin, forms.Form):
    email = forms.EmailField(
        label="Your new email address",
        max_length=MAX_EMAIL_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Type it once more, exactly as you did when you asked for the change.",
    )

    def clean_email(self) -> str:
        return email_clean(self.cleaned_data["email"])
