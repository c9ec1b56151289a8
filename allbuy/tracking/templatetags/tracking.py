from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from allbuy.tracking.banner import CONSENT_SLOT, consent_slot_html

register = template.Library()


@register.simple_tag(takes_context=True)
def consent_slot(context: dict[str, Any]) -> SafeString:
    """Render the consent banner for this visitor, or leave the slot when the page is cached for everyone."""
    request = context.get("request")
    if request is None:
        return mark_safe(CONSENT_SLOT)  # noqa: S308 - a fixed marker
    return mark_safe(consent_slot_html(request))  # noqa: S308 - rendered by our own autoescaping template
