"""The consent choice: the banner's three buttons and the cookie settings page post the same form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from allbuy.tracking.consent import GROUPS, Consent
from allbuy.tracking.cookies import consent_decide
from allbuy.tracking.models import ConsentRecord

ACTIONS = (("accept_all", "Accept all"), ("reject_all", "Reject all"), ("save", "Save my choices"))


class ConsentForm(forms.Form):
    action = forms.ChoiceField(choices=ACTIONS, error_messages={"required": "Choose accept all, reject all or save."})
    analytics = forms.BooleanField(
        required=False, label="Analytics", help_text="Count how the shop is used: pages viewed, searches, page speed."
    )
    personalisation = forms.BooleanField(
        required=False,
        label="Personalisation",
        help_text="Recommend products from what you viewed and bought here (“Recommended for you”).",
    )
    marketing = forms.BooleanField(
        required=False, label="Marketing", help_text="Show you our own offers and promotions based on your interests."
    )

    @classmethod
    def for_consent(cls, consent: Consent) -> ConsentForm:
        return cls(
            initial={"analytics": consent.analytics, "personalisation": consent.personalisation, "marketing": consent.marketing}
        )

    def choices(self) -> dict[str, bool]:
        action = self.cleaned_data["action"]
        if action in ("accept_all", "reject_all"):
            value = action == "accept_all"
            return {"analytics": value, "personalisation": value, "marketing": value}
        return {name: bool(self.cleaned_data[name]) for name in GROUPS}

    def decide(self, request: HttpRequest) -> Consent:
        source = ConsentRecord.Source.BANNER if self.data.get("from") == "banner" else ConsentRecord.Source.SETTINGS
        return consent_decide(request=request, source=source, **self.choices())

    def groups(self) -> list[Any]:
        return [self[name] for name in GROUPS]
