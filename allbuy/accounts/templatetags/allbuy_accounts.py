"""Template helpers for the account pages: accessible form fields, and the signed-in person's own address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from allbuy.accounts.models import PSEUDONYM_DOMAIN, User
from allbuy.accounts.selectors import contact_email_get

register = template.Library()


@register.simple_tag
def field_widget(field: BoundField, autocomplete: str = "") -> SafeString:
    """Render a field's input with Django's aria attributes, without placeholders, and never showing a sign-in key.

    allauth fills some email fields from the account (which holds only the address's blind index); such a
    value is left out rather than shown.
    """
    widget = field.field.widget
    attrs: dict[str, Any] = {"placeholder": False}
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    value = field.value()
    if isinstance(value, str) and value.strip().lower().endswith("@" + PSEUDONYM_DOMAIN):
        value = ""  # never echo a sign-in key (nor anything at its reserved domain) into a form
    return widget.render(name=field.html_name, value=value, attrs=attrs, renderer=field.form.renderer)


@register.simple_tag(takes_context=True)
def own_contact_email(context: template.Context) -> str:
    """Return the signed-in person's own email address, for their own pages only ("" when signed out)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return ""
    return contact_email_get(user=user)


@register.filter
def whole_minutes(value: Any, default: int = 15) -> int:
    """Return a timedelta as whole minutes, rounded up ("15" for 15 minutes)."""
    if isinstance(value, timedelta):
        return max(1, -(-int(value.total_seconds()) // 60))
    return default
