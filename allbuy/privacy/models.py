"""Data subjects, their wrapped data keys, and the log of every read of their data by someone else."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class DataSubject(models.Model):
    """A person AllBuy holds personal data about: a customer account, or a guest who ordered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"subject {self.id}"


class DataKey(models.Model):
    """A 256-bit AES key for one subject and one retention scope, stored only wrapped by a master key.

    Destroying it (`shredded_at` set, `wrapped` emptied) makes every value encrypted under it unreadable,
    in every copy of the database, backups included. System keys (blind index, sessions) have no subject.
    """

    # Random ids: an id is never handed out twice, even after a rollback, so a cached key can never be
    # served for another subject's row.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(DataSubject, null=True, blank=True, on_delete=models.PROTECT, related_name="keys")
    scope = models.CharField(max_length=40)
    master_version = models.PositiveIntegerField()
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "scope"], name="datakey_one_per_subject_scope"),
            models.UniqueConstraint(fields=["scope"], condition=Q(subject=None), name="datakey_one_system_key_per_scope"),
        ]
        indexes = [models.Index(fields=["master_version"])]

    def __str__(self) -> str:
        return f"data key {self.pk} ({self.scope}, master v{self.master_version})"


class AccessLogEntry(models.Model):
    """One read of a subject's personal data by someone other than the subject. Holds no personal values."""

    subject = models.ForeignKey(DataSubject, on_delete=models.CASCADE, related_name="access_log")
    actor_kind = models.CharField(max_length=40)  # a data-map recipient: allbuy.staff, merchant, carrier, ...
    actor_ref = models.CharField(max_length=80)  # an opaque id of the actor (user pk, merchant id), never a name
    actor_label = models.CharField(max_length=120)  # what the customer sees: "AllBuy support", "Merchant: Xiaomi Store"
    fields = models.JSONField()  # ["accounts.Address.line1", ...]
    purpose = models.CharField(max_length=60)
    context = models.JSONField(default=dict, blank=True)  # e.g. {"order": "AB-1042"}
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.actor_label} read {len(self.fields)} field(s) for {self.purpose}"


class PolicyVersion(models.Model):
    """A published version of the privacy policy; `published_at` is also when it takes effect."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200, default="AllBuy privacy policy")
    body = models.TextField(help_text="Markdown-light: paragraphs, '## ' headings and '- ' lists.")
    summary_of_changes = models.TextField(blank=True)
    published_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"version {self.version}"


class PolicyAcknowledgement(models.Model):
    """A signed-in customer saw (and dismissed the banner of) a policy version."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_acknowledgements")
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="policy_ack_once")]

    def __str__(self) -> str:
        return f"acknowledged {self.version}"


class AccessGrant(models.Model):
    """Permission for one outside recipient (a merchant, a carrier) to read named fields of one record of one
    subject, for one purpose, for a time. Reads through it are checked and logged by `allbuy.privacy.grants`.

    `valid_until` is empty while the end is not known yet (a shipment not delivered); `revoked_at` ends it at once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(DataSubject, on_delete=models.CASCADE, related_name="grants")
    recipient_kind = models.CharField(max_length=40)  # a data-map recipient: merchant, carrier
    recipient_ref = models.CharField(max_length=80)  # "merchant:<id>", "carrier:<id>": never a person
    recipient_label = models.CharField(max_length=120)  # what the customer sees: "Merchant: Mi Store Berlin"
    record = models.CharField(max_length=80)  # "orders.Order:<pk>": the one row whose fields may be read
    fields = models.JSONField()  # ["orders.Order.line1", ...]
    purpose = models.CharField(max_length=60)
    context = models.JSONField(default=dict, blank=True)  # e.g. {"order": "AB…", "shipment": "<uuid>"}
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient_ref", "record"], name="grant_recipient_record")]

    def __str__(self) -> str:
        return f"grant {self.pk}"
