from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from allbuy.coupons.export import coupons_csv_write
from allbuy.coupons.models import Coupon, CouponBatch, CouponRedemption

SCOPE_FIELDS = (
    "include_brands",
    "include_categories",
    "include_products",
    "exclude_brands",
    "exclude_categories",
    "exclude_products",
)


@admin.action(description="Export codes as CSV")
def export_codes_csv(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Coupon]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="coupon-codes.csv"'
    coupons_csv_write(coupons=queryset.order_by("id").iterator(chunk_size=2000), out=response)
    return response


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "value", "currency", "valid_from", "valid_until", "uses", "total_cap", "is_active"]
    list_filter = ["kind", "is_active", "stacks_with_deals", "stacks_with_promotions", "batch"]
    search_fields = ["code", "code_key"]
    readonly_fields = ["uses", "created_at"]
    list_select_related = ["batch"]
    raw_id_fields = ["batch"]
    filter_horizontal = SCOPE_FIELDS
    actions = [export_codes_csv]
    fieldsets = [
        (None, {"fields": ["code", "kind", "value", "currency", "min_subtotal", "is_active"]}),
        ("Validity and caps", {"fields": ["valid_from", "valid_until", "total_cap", "per_customer_cap", "uses"]}),
        ("Scope", {"fields": SCOPE_FIELDS}),
        ("Combining", {"fields": ["stacks_with_deals", "stacks_with_promotions"]}),
        ("Origin", {"fields": ["batch", "created_at"]}),
    ]


@admin.register(CouponBatch)
class CouponBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "label", "prefix", "size", "created_at"]
    search_fields = ["label", "prefix"]
    readonly_fields = ["prefix", "size", "created_at"]


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "coupon", "order_ref", "created_at", "released_at"]
    search_fields = ["order_ref", "coupon__code"]
    list_select_related = ["coupon"]
    readonly_fields = ["coupon", "user", "order_ref", "created_at", "released_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
