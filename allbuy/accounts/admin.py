"""Staff screens for accounts. Lists show no personal data; a change page reads it through the privacy app.

Opening a change page is a read by AllBuy staff for running the service, so it is purpose-checked and
logged where the customer sees it ("My privacy"). The encrypted fields are never form fields.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from allbuy.accounts.countries import country_name
from allbuy.accounts.identity import email_clean, email_pseudonym
from allbuy.accounts.models import Address, User
from allbuy.accounts.selectors import ADDRESS_FIELDS
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.services import Actor, personal_data_read, personal_data_read_many

CONTACT_FIELDS = ("contact_email", "full_name", "phone")
CONTACT_LABELS = {"contact_email": "Email", "full_name": "Name", "phone": "Phone"}


def _not_given(value: str) -> str:
    return value or "—"


def _address_lines(values: dict[str, str]) -> list[str]:
    locality = " ".join(part for part in (values["postcode"], values["city"], values["region"]) if part)
    lines = [
        values["recipient_name"],
        values["line1"],
        values["line2"],
        locality,
        country_name(values["country"]),
        values["phone"],
    ]
    return [line for line in lines if line]


class StaffReadMixin:
    """Tie the object shown to the staff member asking, so its computed fields can say who reads.

    Kept on the object (one per request), not on the ModelAdmin, which every request shares.
    """

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            obj._staff_reader = Actor.staff(request.user)
        return obj


def _reader(obj: Any) -> Actor:
    actor = getattr(obj, "_staff_reader", None)
    if actor is None:
        raise PermissionDenied("Personal data is shown only on a change page, to the staff member who opened it.")
    return actor


class AddressInline(admin.TabularInline):
    model = Address
    fields = ("id", "is_default", "created_at")
    readonly_fields = ("id", "is_default", "created_at")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(StaffReadMixin, admin.ModelAdmin):
    list_display = ("id", "date_joined", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser")
    ordering = ("-date_joined",)
    search_fields = ("=id",)
    search_help_text = "Find an account by its number, or by its exact email address (looked up by its keyed hash)."
    fields = (
        "contact_details",
        "address_book",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "date_joined",
        "last_login",
    )
    readonly_fields = ("contact_details", "address_book", "date_joined", "last_login")
    filter_horizontal = ("groups", "user_permissions")
    inlines = (AddressInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts are made by signing up, or `manage.py createsuperuser` for staff: both encrypt the address.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting the row would leave the person's data keys alive; closing an account must shred them
        # (the privacy app's erasure). Staff deactivate accounts here instead.
        return False

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[User], search_term: str) -> tuple[QuerySet[User], bool]:
        term = search_term.strip()
        if "@" in term:
            try:
                return queryset.filter(email=email_pseudonym(email_clean(term))), False
            except ValidationError:  # a malformed address finds nobody
                return queryset.none(), False
        if term and not term.isdigit():
            return queryset.none(), False
        return super().get_search_results(request, queryset, term)

    @admin.display(description="Contact details (decrypted; this view is logged for the customer)")
    def contact_details(self, obj: User) -> SafeString:
        values = personal_data_read(
            actor=_reader(obj),
            subject=obj.subject,
            instance=obj,
            fields=CONTACT_FIELDS,
            purpose=Purpose.SERVICE,
            context={"screen": "admin user"},
        )
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "", "<dt>{}</dt><dd>{}</dd>", ((CONTACT_LABELS[name], _not_given(values[name])) for name in CONTACT_FIELDS)
            ),
        )

    @admin.display(description="Address book (decrypted; logged for the customer)")
    def address_book(self, obj: User) -> SafeString:
        addresses = list(obj.addresses.all())
        if not addresses:
            return format_html("{}", "No addresses")
        rows = personal_data_read_many(
            actor=_reader(obj),
            instances=addresses,
            fields=ADDRESS_FIELDS,
            purpose=Purpose.SERVICE,
            context={"screen": "admin user"},
        )
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{}{}</li>",
                (
                    (", ".join(_address_lines(values)), " (default)" if address.is_default else "")
                    for address, values in zip(addresses, rows, strict=True)
                ),
            ),
        )


@admin.register(Address)
class AddressAdmin(StaffReadMixin, admin.ModelAdmin):
    list_display = ("id", "user_id", "is_default", "created_at")
    list_filter = ("is_default",)
    ordering = ("-created_at",)
    search_fields = ("=user__id",)
    fields = ("user", "address", "is_default", "created_at")
    readonly_fields = ("user", "address", "is_default", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # customers keep their own address book

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # view and delete only: changes go through the customer's own pages

    @admin.display(description="Address (decrypted; this view is logged for the customer)")
    def address(self, obj: Address) -> SafeString:
        values = personal_data_read(
            actor=_reader(obj),
            subject=obj.subject,
            instance=obj,
            fields=ADDRESS_FIELDS,
            purpose=Purpose.SERVICE,
            context={"screen": "admin address"},
        )
        return format_html("{}", ", ".join(_address_lines(values)))
