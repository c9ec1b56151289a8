"""Reads for a person's own account pages: their profile and address book, decrypted for them alone."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db.models import QuerySet

from allbuy.accounts.countries import country_name
from allbuy.accounts.exceptions import AddressNotFound
from allbuy.accounts.models import Address, User
from allbuy.privacy.services import own_data_reveal

ADDRESS_FIELDS = ("recipient_name", "line1", "line2", "city", "region", "postcode", "country", "phone")


@dataclass(frozen=True)
class Profile:
    email: str
    email_verified: bool
    full_name: str
    phone: str


@dataclass(frozen=True)
class AddressCard:
    id: int
    is_default: bool
    recipient_name: str
    line1: str
    line2: str
    city: str
    region: str
    postcode: str
    country: str
    phone: str

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def locality(self) -> str:
        """The postcode, city and region line as it is written on a parcel."""
        return " ".join(part for part in (self.postcode, self.city, self.region) if part)

    def form_values(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}


def contact_email_get(*, user: User) -> str:
    """Return the signed-in person's own email address (the real one, not the sign-in key)."""
    return own_data_reveal(instance=user, fields=["contact_email"], subject=user.subject)["contact_email"]


def profile_get(*, user: User) -> Profile:
    values = own_data_reveal(instance=user, fields=["contact_email", "full_name", "phone"], subject=user.subject)
    verified = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    return Profile(email=values["contact_email"], email_verified=verified, full_name=values["full_name"], phone=values["phone"])


def addresses_of(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user)


def _card(address: Address, *, user: User) -> AddressCard:
    values = own_data_reveal(instance=address, fields=ADDRESS_FIELDS, subject=user.subject)
    return AddressCard(id=address.pk, is_default=address.is_default, **values)


def address_list_for_user(*, user: User) -> list[AddressCard]:
    """Return the person's addresses, the default first, in three queries whatever their number."""
    return [_card(address, user=user) for address in addresses_of(user=user)]


def address_get_for_user(*, user: User, address_id: int) -> AddressCard:
    address = addresses_of(user=user).filter(pk=address_id).first()
    if address is None:
        raise AddressNotFound("There is no such address in your address book.")
    return _card(address, user=user)
