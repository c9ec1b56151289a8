"""Writes to accounts: creating users, their profile, their address book and their sign-in address.

Plaintext is assigned to the encrypted fields; the fields encrypt it on save under the person's key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from allbuy.accounts.adapters import MAILER
from allbuy.accounts.exceptions import AddressNotFound, EmailChangeLinkInvalid
from allbuy.accounts.identity import email_clean, email_pseudonym
from allbuy.accounts.models import Address, User
from allbuy.accounts.validators import NAME_MAX_LENGTH, PHONE_MAX_LENGTH, address_values_clean, phone_clean, text_clean
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.services import personal_data_read, subject_create

EMAIL_CHANGE_SALT = "allbuy.accounts.email-change"
EMAIL_CHANGE_MAX_AGE = timedelta(days=3)


@transaction.atomic
def user_create(*, email: str, password: str | None = None, full_name: str = "", phone: str = "", **extra: Any) -> User:
    """Create an account: a new data subject, the address's blind index as sign-in key, details encrypted."""
    address = email_clean(email)
    user = User(
        subject=subject_create(),
        email=email_pseudonym(address),
        contact_email=address,
        full_name=full_name,
        phone=phone,
        **extra,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def profile_values_clean(*, full_name: str, phone: str) -> dict[str, str]:
    """Return the profile's values checked and normalised (phone in E.164), or raise ValidationError per field."""
    cleaned: dict[str, str] = {}
    errors: dict[str, ValidationError] = {}
    for name, check in (
        ("full_name", lambda: text_clean(full_name, max_length=NAME_MAX_LENGTH, required=False)),
        ("phone", lambda: phone_clean(text_clean(phone, max_length=PHONE_MAX_LENGTH, required=False))),
    ):
        try:
            cleaned[name] = check()
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def profile_update(*, user: User, full_name: str, phone: str) -> User:
    values = profile_values_clean(full_name=full_name, phone=phone)
    user.full_name = values["full_name"]
    user.phone = values["phone"]
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "phone"])
    return user


def _address_book_lock(user: User) -> None:
    # One writer per address book at a time, so "exactly one default" holds under concurrent requests
    # (PostgreSQL row lock; SQLite already serialises writers with BEGIN IMMEDIATE).
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def _own_address(*, user: User, address_id: int) -> Address:
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise AddressNotFound("There is no such address in your address book.")
    return address


@transaction.atomic
def address_create(
    *,
    user: User,
    recipient_name: str,
    line1: str,
    city: str,
    country: str,
    phone: str,
    line2: str = "",
    region: str = "",
    postcode: str = "",
    is_default: bool = False,
) -> Address:
    """Add an address; the first one, or one asked to be, becomes the default."""
    values = address_values_clean(
        {
            "recipient_name": recipient_name,
            "line1": line1,
            "line2": line2,
            "city": city,
            "region": region,
            "postcode": postcode,
            "country": country,
            "phone": phone,
        }
    )
    _address_book_lock(user)
    current_default = Address.objects.filter(user=user, is_default=True)
    has_default = current_default.exists()
    if is_default and has_default:
        current_default.update(is_default=False)
    address = Address(user=user, subject_id=user.subject_id, is_default=is_default or not has_default, **values)
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def address_update(
    *,
    user: User,
    address_id: int,
    recipient_name: str,
    line1: str,
    city: str,
    country: str,
    phone: str,
    line2: str = "",
    region: str = "",
    postcode: str = "",
) -> Address:
    values = address_values_clean(
        {
            "recipient_name": recipient_name,
            "line1": line1,
            "line2": line2,
            "city": city,
            "region": region,
            "postcode": postcode,
            "country": country,
            "phone": phone,
        }
    )
    address = _own_address(user=user, address_id=address_id)
    for name, value in values.items():
        setattr(address, name, value)
    address.full_clean()
    address.save()
    return address


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    """Delete an address; if it was the default, the oldest remaining address becomes the default."""
    _address_book_lock(user)
    address = _own_address(user=user, address_id=address_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        successor = Address.objects.filter(user=user).order_by("created_at", "id").first()
        if successor is not None:
            Address.objects.filter(pk=successor.pk).update(is_default=True)


@transaction.atomic
def address_set_default(*, user: User, address_id: int) -> Address:
    _address_book_lock(user)
    address = _own_address(user=user, address_id=address_id)
    if not address.is_default:
        # Clear the old default first: the partial unique constraint allows one default per user at every moment.
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
        Address.objects.filter(pk=address.pk).update(is_default=True)
        address.is_default = True
    return address


def _email_key_taken(key: str, *, user: User) -> bool:
    return (
        User.objects.filter(email=key).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=key).exclude(user=user).exists()
    )


def email_change_request(*, user: User, new_email: str, confirm_url: Callable[[str], str]) -> None:
    """Mail a link to the new address; following it (signed in, within 3 days) makes it the sign-in address.

    The link carries only sign-in keys (blind indexes), never an address. If the address already belongs
    to another account, that address is told so instead, and this page says the same as on success, so the
    form cannot be used to find out who has an account.
    """
    address = email_clean(new_email)
    key = email_pseudonym(address)
    if key == user.email:
        raise ValidationError({"email": "That is already your sign-in email address."})
    mailer = get_adapter()
    if _email_key_taken(key, user=user):
        mailer.send_mail("accounts/email/email_change_taken", address, {})
        return
    token = signing.dumps({"u": user.pk, "k": key, "o": user.email}, salt=EMAIL_CHANGE_SALT)
    mailer.send_mail("accounts/email/email_change", address, {"confirm_url": confirm_url(token)})


def email_change_token_check(*, user: User, token: str) -> str:
    """Return the new sign-in key a change link asks for, or raise EmailChangeLinkInvalid."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired:
        raise EmailChangeLinkInvalid("This link has expired. Ask for a new one on your email page.") from None
    except signing.BadSignature:
        raise EmailChangeLinkInvalid(
            "This link is not valid. Copy the whole link from the email, or ask for a new one."
        ) from None
    if data.get("u") != user.pk:
        raise EmailChangeLinkInvalid("This link is for another account. Sign in to the account that asked for it.")
    if data.get("o") != user.email:
        raise EmailChangeLinkInvalid("This link has already been used, or your email address has changed since.")
    return str(data["k"])


@transaction.atomic
def email_change_confirm(*, user: User, token: str, typed_email: str) -> User:
    """Make the address typed (which must be the one the link was sent to) the account's sign-in address."""
    key = email_change_token_check(user=user, token=token)
    address = email_clean(typed_email)
    if email_pseudonym(address) != key:
        raise ValidationError({"email": "This is not the address the link was sent to. Type the new address exactly."})
    locked = User.objects.select_for_update().get(pk=user.pk)
    if _email_key_taken(key, user=locked):
        raise ValidationError({"email": "This address now belongs to another account."})
    old_address = personal_data_read(
        actor=MAILER,
        subject=user.subject,
        instance=locked,
        fields=["contact_email"],
        purpose=Purpose.SECURITY,
        context={"mail": "email_changed"},
    )["contact_email"]
    locked.email = key
    locked.contact_email = address
    locked.save(update_fields=["email", "contact_email"])
    EmailAddress.objects.filter(user=locked).delete()
    EmailAddress.objects.create(user=locked, email=key, primary=True, verified=True)
    transaction.on_commit(
        partial(_email_changed_notify, old_address=old_address, new_address=address, request=allauth_context.request)
    )
    user.email, user.contact_email = locked.email, locked.contact_email
    return locked


def _email_changed_notify(*, old_address: str, new_address: str, request: HttpRequest | None) -> None:
    # Runs after the commit, possibly after the request is done: allauth's mailer reads the request from its context.
    with allauth_context.request_context(request):
        get_adapter().send_mail("accounts/email/email_changed", old_address, {"new_email": new_address})
