"""Staff screens for the marketplace: merchants and their staff, carriers and their credentials, shipments.

Credentials are made here but never kept readable: "New API token" and "New webhook secret" show the new value
once, on the page the action answers with (not through a redirect, so it never rides in a cookie), while the
database keeps only the token's SHA-256 and the secret's ciphertext. Tokens are listed read-only and can be
revoked. Shipments are read-only and never deleted; their lists and pages show no personal data — the
recipient is read by the merchant and the carrier only, under their grants (`allbuy.fulfilment.services`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from allbuy.accounts.countries import COUNTRY_NAMES
from allbuy.core.admin import ReadOnlyInline
from allbuy.fulfilment.models import (
    Carrier,
    CarrierToken,
    Merchant,
    MerchantStaff,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
)
from allbuy.fulfilment.services import carrier_token_create, carrier_token_revoke, carrier_webhook_secret_new

ADMIN_TOKEN_SCOPES = ["shipments:read", "shipments:write"]


# --- merchants ----------------------------------------------------------------------------------------------------


class MerchantStaffInline(admin.TabularInline):
    model = MerchantStaff
    fields = ("user", "role")
    raw_id_fields = ("user",)  # chosen by account id: no list of customers' accounts is shown
    extra = 0
    verbose_name = "staff account"
    verbose_name_plural = "staff accounts (owners manage, packers pack)"


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "staff_count", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug")
    inlines = (MerchantStaffInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Merchant]:
        return super().get_queryset(request).annotate(staff_total=Count("staff", distinct=True))

    @admin.display(description="Staff", ordering="staff_total")
    def staff_count(self, obj: Merchant) -> int:
        return getattr(obj, "staff_total", 0)


# --- carriers -----------------------------------------------------------------------------------------------------


class CountriesField(forms.CharField):
    """ISO country codes separated by commas or spaces ("DE, AT"); empty means every country."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        text = super().to_python(value)
        codes = [part.strip().upper() for part in (text or "").replace(",", " ").split()]
        unknown = [code for code in codes if code not in COUNTRY_NAMES]
        if unknown:
            raise forms.ValidationError(
                "Unknown country code(s): %(codes)s. Use two-letter ISO codes such as DE, AT.",
                code="country_unknown",
                params={"codes": ", ".join(unknown)},
            )
        return list(dict.fromkeys(codes))

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(value)
        return "" if value is None else str(value)


class CarrierForm(forms.ModelForm):
    countries = CountriesField(
        label="Countries served",
        required=False,
        help_text="Two-letter ISO codes separated by commas (DE, AT). Empty: every country.",
    )

    class Meta:
        model = Carrier
        fields = ("name", "code", "countries", "price")


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    form = CarrierForm
    list_display = ("name", "code", "countries_display", "price", "live_tokens", "has_webhook_secret")
    search_fields = ("name", "code")
    fields = ("name", "code", "countries", "price", "has_webhook_secret")
    readonly_fields = ("has_webhook_secret",)
    actions = ("new_api_token", "new_webhook_secret")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Carrier]:
        return super().get_queryset(request).annotate(live_token_total=Count("tokens", filter=Q(tokens__revoked_at__isnull=True)))

    @admin.display(description="Countries")
    def countries_display(self, obj: Carrier) -> str:
        return ", ".join(obj.countries) if obj.countries else "everywhere"

    @admin.display(description="Live API tokens", ordering="live_token_total")
    def live_tokens(self, obj: Carrier) -> int:
        return getattr(obj, "live_token_total", 0)

    @admin.display(description="Webhook secret", boolean=True)
    def has_webhook_secret(self, obj: Carrier) -> bool:
        return bool(obj.webhook_secret)

    def has_credentials_permission(self, request: HttpRequest) -> bool:
        """May make credentials: Django's "change carrier" permission."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def _shown_once(self, request: HttpRequest, *, title: str, secrets: list[tuple[Carrier, str]]) -> TemplateResponse:
        """Answer the action with a page showing each new value once; nothing is stored in clear anywhere."""
        for carrier, secret in secrets:
            self.message_user(
                request,
                f"{title} for {carrier.name} ({carrier.code}): {secret} — copy it now; it is shown only this once.",
                messages.SUCCESS,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
        }
        response = TemplateResponse(request, "admin/fulfilment/secret_shown.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="New API token (shown once)", permissions=["credentials"])
    def new_api_token(self, request: HttpRequest, queryset: QuerySet[Carrier]) -> TemplateResponse:
        made = []
        for carrier in queryset.order_by("code"):
            token = carrier_token_create(carrier=carrier, scopes=ADMIN_TOKEN_SCOPES, label=f"admin: account #{request.user.pk}")
            self.log_change(request, carrier, "New API token created.")
            made.append((carrier, token))
        return self._shown_once(request, title="New API token", secrets=made)

    @admin.action(description="New webhook secret (shown once; the old one stops working)", permissions=["credentials"])
    def new_webhook_secret(self, request: HttpRequest, queryset: QuerySet[Carrier]) -> TemplateResponse:
        made = []
        for carrier in queryset.order_by("code"):
            secret = carrier_webhook_secret_new(carrier=carrier)
            self.log_change(request, carrier, "New webhook secret set.")
            made.append((carrier, secret))
        return self._shown_once(request, title="New webhook secret", secrets=made)


@admin.register(CarrierToken)
class CarrierTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "carrier", "label", "scopes_display", "created_at", "revoked_at")
    list_filter = ("carrier", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("carrier",)
    search_fields = ("prefix", "label")
    fields = readonly_fields = ("carrier", "prefix", "label", "scopes", "created_at", "revoked_at")
    ordering = ("-created_at", "-id")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made from the carrier list or `manage.py carrier_token_create`, where the token is shown once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: the list keeps who had access until when

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.display(description="Scopes")
    def scopes_display(self, obj: CarrierToken) -> str:
        return ", ".join(obj.scopes) or "none"

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[CarrierToken]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True).order_by("prefix"))
        for token in live:
            carrier_token_revoke(token=token)
            self.log_change(request, token, "Revoked.")
        if live:
            self.message_user(request, f"Revoked: {', '.join(t.prefix for t in live)}.", messages.SUCCESS)
        else:
            self.message_user(request, "The selected tokens were already revoked.", messages.WARNING)


# --- shipments ----------------------------------------------------------------------------------------------------


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = readonly_fields = ("product", "sku", "quantity")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShipmentLine]:
        return super().get_queryset(request).select_related("order_line")

    @admin.display(description="Product")
    def product(self, obj: ShipmentLine) -> str:
        return obj.order_line.product_name

    @admin.display(description="SKU")
    def sku(self, obj: ShipmentLine) -> str:
        return obj.order_line.sku

    @admin.display(description="Quantity")
    def quantity(self, obj: ShipmentLine) -> int:
        return obj.order_line.quantity


class ShipmentEventInline(ReadOnlyInline):
    model = ShipmentEvent
    fields = readonly_fields = ("at", "from_status", "to_status", "actor", "note")
    verbose_name_plural = "history"


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ("public_id", "order_number", "merchant", "carrier", "status", "tracking_number", "updated_at")
    list_filter = ("status", "merchant", "carrier")
    list_select_related = ("order", "merchant", "carrier")
    search_fields = ("tracking_number", "order__number")
    search_help_text = "Find a shipment by its tracking number or its order's number."
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    fields = readonly_fields = (
        "public_id",
        "order_number",
        "merchant",
        "carrier",
        "status",
        "tracking_number",
        "weight_grams",
        "created_at",
        "updated_at",
        "delivered_at",
    )
    inlines = (ShipmentLineInline, ShipmentEventInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made at payment

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # moved by the merchant and the carrier, through the services

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Order", ordering="order__number")
    def order_number(self, obj: Shipment) -> str:
        return obj.order.number
