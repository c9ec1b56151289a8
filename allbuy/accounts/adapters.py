"""django-allauth adapters: allauth only ever sees an address's blind index; the address stays encrypted.

- `clean_email` turns what a person typed into the sign-in key (and refuses malformed or look-alike addresses);
- `save_user` keeps the typed address, encrypted, in `contact_email`;
- `send_mail` finds the real address behind the key, through the privacy app, as the email processor;
- the Facebook profile is reduced to what the data map declares: name and email, a hashed account id,
  nothing else (no extra data, no tokens).
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from allbuy.accounts.identity import email_clean, email_pseudonym
from allbuy.accounts.models import User, is_pseudonym
from allbuy.privacy.crypto import blind_index
from allbuy.privacy.datamap import Purpose, Recipient
from allbuy.privacy.services import Actor, personal_data_read, subject_create

logger = logging.getLogger(__name__)
MAILER = Actor(kind=Recipient.EMAIL_PROCESSOR, ref="mailer", label="Email delivery (our email provider)")


def _typed_address(form: BaseForm | None) -> str:
    if form is None:
        return ""
    try:
        return email_clean(str(form.data.get("email", "")))
    except ValidationError:
        return ""


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        if is_pseudonym(email):  # allauth cleans stored addresses again when it saves them
            return email
        return email_pseudonym(email_clean(email))

    def save_user(self, request: HttpRequest, user: Any, form: BaseForm, commit: bool = True) -> Any:
        address = _typed_address(form) or (user.contact_email if isinstance(user.contact_email, str) else "")
        if not user.subject_id:
            user.subject = subject_create()
        super().save_user(request, user, form, commit=False)
        if address:
            user.contact_email = address
            user.email = email_pseudonym(address)
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        address = email
        if is_pseudonym(email):
            user = User.objects.filter(email=email).select_related("subject").first()
            if user is None:
                logger.info("mail %s not sent: no account behind the sign-in key", template_prefix)
                return
            address = personal_data_read(
                actor=MAILER,
                subject=user.subject,
                instance=user,
                fields=["contact_email"],
                purpose=Purpose.SERVICE,
                context={"mail": template_prefix.rsplit("/", 1)[-1]},
            )["contact_email"]
        super().send_mail(template_prefix, address, {**context, "email": address})


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        """Keep only the declared parts of the provider's profile: the name and the address.

        allauth has already run the address through `clean_email` (so `data` and `email_addresses` hold its
        sign-in key); the address itself is read from the provider's raw profile, which is then discarded.
        """
        user = sociallogin.user
        account = sociallogin.account
        profile = account.extra_data or {}
        account.uid = blind_index(str(account.uid), kind=f"uid:{account.provider}")
        account.extra_data = {}
        name = (
            profile.get("name") or data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        )
        user.full_name = str(name or "")[:200]
        try:
            address = email_clean(str(profile.get("email") or data.get("email") or ""))
        except ValidationError:
            address = ""
        user.contact_email = address
        user.email = email_pseudonym(address) if address else ""
        for email_address in sociallogin.email_addresses:
            try:
                email_address.email = email_pseudonym(email_address.email)
            except ValidationError:
                email_address.email = ""
        sociallogin.email_addresses = [e for e in sociallogin.email_addresses if e.email]
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        """Never sign a visitor into an existing account because a provider reports its address.

        Whoever controls the provider account could otherwise take over the AllBuy account. The owner
        signs in with their password first and connects the provider from their account page.
        """
        if sociallogin.is_existing or request.user.is_authenticated:
            return
        key = sociallogin.user.email
        if key and User.objects.filter(email=key).exists():
            messages.error(
                request,
                "An AllBuy account already uses the email address of this Facebook account. Sign in with your "
                "password first, then connect Facebook from your account's sign-in options.",
            )
            raise ImmediateHttpResponse(redirect(f"{reverse('account_login')}?next={reverse('socialaccount_connections')}"))

    def save_user(self, request: HttpRequest, sociallogin: Any, form: BaseForm | None = None) -> Any:
        user = sociallogin.user
        if not user.subject_id:
            user.subject = subject_create()
        return super().save_user(request, sociallogin, form)
