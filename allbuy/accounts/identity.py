"""How an email address becomes the sign-in key that is stored instead of it."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from allbuy.accounts.models import PSEUDONYM_DOMAIN, is_pseudonym
from allbuy.privacy.crypto import blind_index, email_normalise

MAX_EMAIL_LENGTH = 254


def email_clean(email: str) -> str:
    """Return the normalised address, or raise ValidationError saying what is wrong with it.

    Only ASCII addresses are accepted: look-alike letters from other scripts ("раypal" with a Cyrillic
    р) would otherwise let two different accounts look like one address.
    """
    value = email_normalise(email or "")
    if not value:
        raise ValidationError("Enter your email address.", code="required")
    if len(value) > MAX_EMAIL_LENGTH:
        raise ValidationError(f"An email address has at most {MAX_EMAIL_LENGTH} characters.", code="email_too_long")
    if not value.isascii():
        raise ValidationError(
            "Use an email address written in plain Latin letters, digits and punctuation.", code="email_not_ascii"
        )
    if value.endswith("@" + PSEUDONYM_DOMAIN):
        raise ValidationError("Enter a real email address.", code="email_reserved")
    validate_email(value)
    return value


def email_pseudonym(email: str) -> str:
    """Return the sign-in key of an address: its blind index (HMAC-SHA256), written as an address."""
    if is_pseudonym(email):
        return email
    return f"{blind_index(email)}@{PSEUDONYM_DOMAIN}"


def axes_username(request: object, credentials: dict[str, str] | None = None) -> str:
    """Return what django-axes counts failures under: the sign-in key, never the typed address."""
    typed = ""
    if credentials:
        typed = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    if not typed:
        post = getattr(request, "POST", None)
        typed = (post.get("login") or post.get("email") or post.get("username") or "") if post is not None else ""
    try:
        return email_pseudonym(email_clean(typed)) if not is_pseudonym(typed) else typed
    except ValidationError:
        return "invalid-address"
