"""Staff publish privacy policy versions here. A version in effect is history: its text can no longer change."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from allbuy.core import clock
from allbuy.privacy.models import PolicyVersion
from allbuy.privacy.policy import policy_current, policy_version_in_effect

# The fields that make up what customers were told. Once a version is in effect they are frozen:
# a correction is a new version, with its own date and summary, so the history stays honest.
FROZEN_WHEN_IN_EFFECT = ("version", "title", "body", "published_at")
# "Effective when posted": a new version may not claim to have been in effect before it was written.
BACKDATING_TOLERANCE = timedelta(minutes=10)
# Version numbers appear in addresses (/privacy/versions/2.0) and anchors (#v2.0).
VERSION_FORMAT = re.compile(r"^[0-9A-Za-z._-]{1,20}$")


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ("version", "title", "body", "summary_of_changes", "published_at")
        help_texts = {
            "body": "Paragraphs, '## ' headings, '- ' lists, **bold**, and links to pages of this site such as "
            "[My privacy](/accounts/privacy/). Anything else shows as typed.",
            "summary_of_changes": "Shown above the changes in the policy history. Say plainly what changed for customers.",
            "published_at": "When the version takes effect and becomes the current policy. Once that time has passed, "
            "the text can no longer be changed.",
        }

    def clean_version(self) -> str:
        version = str(self.cleaned_data.get("version", "")).strip()
        if not VERSION_FORMAT.match(version):
            raise forms.ValidationError(
                "Use letters, digits, dots, dashes or underscores, such as 2.0 or 2026-12.", code="version_format"
            )
        return version

    def _stored(self) -> PolicyVersion | None:
        if self.instance.pk is None:
            return None
        return PolicyVersion.objects.filter(pk=self.instance.pk).first()

    def _submitted(self, name: str) -> Any:
        if name in self.fields:
            return self.cleaned_data.get(name)
        # A read-only field is not posted, unless the form was opened before the version took effect.
        return self.data.get(name)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        now = clock.now()
        stored = self._stored()
        if stored is not None and policy_version_in_effect(stored, now=now):
            for name in FROZEN_WHEN_IN_EFFECT:
                submitted = self._submitted(name)
                if submitted is not None and _differs(getattr(stored, name), submitted):
                    self.add_error(
                        name if name in self.fields else None,
                        f"Version {stored.version} has been in effect since {stored.published_at:%Y-%m-%d %H:%M} UTC, "
                        f"so its {name.replace('_', ' ')} can no longer change. Publish a new version instead.",
                    )
            return cleaned
        published_at = cleaned.get("published_at")
        if published_at is not None and published_at < now - BACKDATING_TOLERANCE:
            self.add_error("published_at", "A version takes effect when it is posted: choose now or a later time.")
        return cleaned


def _differs(stored: Any, submitted: Any) -> bool:
    if isinstance(stored, str) and isinstance(submitted, str):
        # Browsers post text areas with CRLF line ends; the meaning is what counts.
        return stored.replace("\r\n", "\n").strip() != submitted.replace("\r\n", "\n").strip()
    return bool(stored != submitted)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ("version", "title", "published_at", "status")
    ordering = ("-published_at",)
    search_fields = ("version", "title")

    @admin.display(description="status")
    def status(self, obj: PolicyVersion) -> str:
        if not policy_version_in_effect(obj):
            return "scheduled"
        current = policy_current()
        return "current" if current is not None and current.id == obj.pk else "superseded"

    def get_readonly_fields(self, request: HttpRequest, obj: PolicyVersion | None = None) -> tuple[str, ...]:
        if obj is not None and policy_version_in_effect(obj):
            return FROZEN_WHEN_IN_EFFECT
        return ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {**super().get_changeform_initial_data(request), "published_at": clock.now()}

    def has_delete_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        # Customers may have read (and acknowledged) a version in effect: it stays in the history for good.
        if obj is not None and policy_version_in_effect(obj):
            return False
        return super().has_delete_permission(request, obj)
