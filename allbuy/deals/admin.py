"""Staff schedule deals and promotions here; the models' clean() refuses bad ones with field-level messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from allbuy.core import clock
from allbuy.core.money import money_format
from allbuy.deals.models import Deal, Promotion
from allbuy.deals.services import deal_save


class WindowStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active now"), ("upcoming", "Upcoming"), ("past", "Past")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = clock.now()
        if self.value() == "active":
            return queryset.filter(starts_at__lte=now, ends_at__gt=now)
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gt=now)
        if self.value() == "past":
            return queryset.filter(ends_at__lte=now)
        return queryset


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = ["title", "variant", "price", "window", "quantity_cap", "units_sold", "per_customer_limit"]
    list_filter = [WindowStatusFilter]
    list_select_related = ["variant__product"]
    search_fields = ["title", "variant__sku", "variant__product__name"]
    autocomplete_fields = ["variant"]
    readonly_fields = ["units_sold", "created_at"]
    date_hierarchy = "starts_at"
    fields = [
        "variant",
        "title",
        "deal_price",
        "currency",
        "starts_at",
        "ends_at",
        "quantity_cap",
        "per_customer_limit",
        "units_sold",
        "created_at",
    ]

    @admin.display(description="Deal price", ordering="deal_price")
    def price(self, obj: Deal) -> str:
        return f"{money_format(obj.deal_price, obj.currency)} (was {money_format(obj.variant.price, obj.variant.currency)})"

    @admin.display(description="Window", ordering="starts_at")
    def window(self, obj: Deal) -> str:
        return f"{obj.starts_at:%Y-%m-%d %H:%M} → {obj.ends_at:%Y-%m-%d %H:%M} UTC"

    def save_model(self, request: HttpRequest, obj: Deal, form: Any, change: bool) -> None:
        # The form already ran clean(); the service re-checks overlap with the variant row locked.
        deal_save(deal=obj)


class PromotionAdminForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = [
            "title",
            "banner_text",
            "is_active",
            "starts_at",
            "ends_at",
            "kind",
            "value",
            "currency",
            "buy_quantity",
            "get_quantity",
            "min_subtotal",
            "priority",
            "exclusive",
            "stackable",
            "applies_to_deals",
            *Promotion.SCOPE_FIELDS,
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for target in ("brands", "categories", "products"):
            included, excluded = data.get(f"include_{target}"), data.get(f"exclude_{target}")
            if included is not None and excluded is not None and set(included) & set(excluded):
                self.add_error(f"exclude_{target}", f"The same {target} cannot be both included and excluded.")
        return data


class PromotionStatusFilter(WindowStatusFilter):
    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "active":
            return super().queryset(request, queryset).filter(is_active=True)
        return super().queryset(request, queryset)


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    form = PromotionAdminForm
    list_display = ["title", "kind", "starts_at", "ends_at", "priority", "exclusive", "stackable", "is_active"]
    list_filter = [PromotionStatusFilter, "kind", "is_active"]
    search_fields = ["title", "banner_text"]
    filter_horizontal = list(Promotion.SCOPE_FIELDS)
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["title", "banner_text", "is_active", "starts_at", "ends_at"]}),
        ("Offer", {"fields": ["kind", "value", "currency", "buy_quantity", "get_quantity", "min_subtotal"]}),
        (
            "Combination",
            {
                "fields": ["priority", "exclusive", "stackable", "applies_to_deals"],
                "description": "Higher priority first. An exclusive promotion that applies is the only one; "
                "stackable promotions combine with each other and with the best non-stackable one.",
            },
        ),
        ("Scope (no includes: the whole catalog; excludes always win)", {"fields": list(Promotion.SCOPE_FIELDS)}),
        ("History", {"classes": ["collapse"], "fields": ["created_at"]}),
    ]
