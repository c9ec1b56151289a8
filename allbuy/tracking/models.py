"""Consent choices, behaviour events, anonymous page-view counters and the link from a visitor id to an account.

Behaviour events hold no identifier but `visitor`: a keyed hash (HMAC-SHA256) of the random first-party cookie,
never the cookie itself. On PostgreSQL the events table is partitioned by day (migration 0002), so the retention
job drops whole days; on SQLite it deletes them by date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ConsentRecord(models.Model):
    """One consent decision of a signed-in customer (anonymous visitors keep theirs in a signed cookie).

    Rows are never updated: the newest is in effect, the older ones are the history the customer can see.
    """

    class Source(models.TextChoices):
        BANNER = "banner", "the cookie banner"
        SETTINGS = "settings", "cookie settings"
        SIGN_IN = "sign_in", "carried over from this browser at sign-in"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records")
    analytics = models.BooleanField()
    personalisation = models.BooleanField()
    marketing = models.BooleanField()
    gpc = models.BooleanField(help_text="the browser sent Global Privacy Control when this choice was made")
    policy_version = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "-decided_at"])]

    def __str__(self) -> str:
        return f"consent {self.pk}"


class EventKind(models.IntegerChoices):
    PAGE_VIEW = 1, "page_view"
    PRODUCT_VIEW = 2, "product_view"
    SEARCH = 3, "search"
    ADD_TO_CART = 4, "add_to_cart"
    REMOVE_FROM_CART = 5, "remove_from_cart"
    CHECKOUT_STEP = 6, "checkout_step"
    PURCHASE = 7, "purchase"


class DeviceClass(models.IntegerChoices):
    UNKNOWN = 0, "unknown"
    MOBILE = 1, "mobile"
    TABLET = 2, "tablet"
    DESKTOP = 3, "desktop"


class ScreenBucket(models.IntegerChoices):
    UNKNOWN = 0, "unknown"
    XS = 1, "up to 480 px"
    SM = 2, "481–768 px"
    MD = 3, "769–1024 px"
    LG = 4, "1025–1440 px"
    XL = 5, "over 1440 px"


class Event(models.Model):
    """One behaviour event of a visitor who consented to analytics or personalisation."""

    id = models.BigAutoField(primary_key=True)
    day = models.DateField()  # the UTC day it was received: the partition key on PostgreSQL
    occurred_at = models.DateTimeField()
    visitor = models.CharField(max_length=32)  # HMAC-SHA256 of the visitor cookie, hex, 128 bits
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    product_id = models.IntegerField(null=True)  # not a foreign key: checked at ingestion, and events outlive products
    path = models.CharField(max_length=200, blank=True)  # without its query string
    query = models.TextField(blank=True)  # search words, emails and phone numbers removed, encrypted
    step = models.CharField(max_length=20, blank=True)  # checkout step
    device = models.PositiveSmallIntegerField(choices=DeviceClass.choices, default=DeviceClass.UNKNOWN)
    screen = models.PositiveSmallIntegerField(choices=ScreenBucket.choices, default=ScreenBucket.UNKNOWN)
    ttfb_ms = models.PositiveIntegerField(null=True)
    dom_ready_ms = models.PositiveIntegerField(null=True)
    load_ms = models.PositiveIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["visitor", "occurred_at"], name="tracking_event_visitor"),
            models.Index(fields=["day"], name="tracking_event_day"),
        ]

    def __str__(self) -> str:
        return f"event {self.pk}"


class PageViewCount(models.Model):
    """Page views per path per day, counted without any identifier: all that is kept without consent."""

    day = models.DateField()
    path = models.CharField(max_length=200)
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "path"], name="pageviewcount_day_path")]

    def __str__(self) -> str:
        return f"{self.day} {self.path}"


class VisitorLink(models.Model):
    """A consenting visitor's pseudonym linked to their account at sign-in; removed when consent is withdrawn."""

    visitor = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="visitor_links")
    linked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"visitor link {self.pk}"
