"""Staff screens for orders: find and read orders, move them along fulfilment, cancel and refund them.

An order is a tax record, so it is never edited through a form and never deleted here: the page is read-only,
and every change goes through the orders services (`order_status_set`, `order_cancel`, `order_refund`) from a
small confirmation page, so the customer gets their email and the order its history. Any refusal of a service
is shown as an error message on the page.

The list shows no personal data. The change page does not show the shipping address either, until a staff
member asks for it: then it is read through the privacy app for running the service, purpose-checked and
logged where the customer sees it ("My privacy"), exactly as the accounts screens read addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from allbuy.accounts.admin import StaffReadMixin, _address_lines, _reader
from allbuy.core.admin import ReadOnlyInline
from allbuy.core.errors import ApplicationError
from allbuy.core.money import money_format
from allbuy.orders.models import SHIP_TO_MEMBERS, Order, OrderEvent, OrderLine, OrderStatus, Payment, Refund
from allbuy.orders.services import order_cancel, order_refund, order_status_set
from allbuy.orders.states import transition_allowed
from allbuy.privacy.datamap import Purpose
from allbuy.privacy.services import personal_data_read

# Who the order's history names for a change made here: a role, never a person. The admin's own log
# (History) records which staff account made it.
STAFF_ACTOR = "staff"
# The fulfilment steps staff move an order through, with the words on their buttons.
STAFF_STATUSES: dict[str, str] = {
    OrderStatus.FULFILLING: "Start packing",
    OrderStatus.SHIPPED: "Mark as shipped",
    OrderStatus.DELIVERED: "Mark as delivered",
}
REFUNDABLE = frozenset({OrderStatus.PAID, OrderStatus.FULFILLING, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
SHOW_SHIP_TO = "ship_to"  # ?ship_to=show on the change page decrypts the address (and logs the read)


def _amount(value: Decimal, currency: str) -> str:
    return money_format(value, currency)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = (
        "product_name",
        "sku",
        "options",
        "quantity",
        "unit_price",
        "deal_discount",
        "promotion_discount",
        "coupon_discount",
        "tax",
        "total",
    )


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = readonly_fields = ("at", "from_status", "to_status", "actor", "note")
    verbose_name_plural = "history"


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = (
        "created_at",
        "gateway",
        "gateway_ref",
        "status",
        "amount",
        "currency",
        "card_brand",
        "decline_code",
        "updated_at",
    )


# --- the forms of the action pages --------------------------------------------------------------------------------


class StatusForm(forms.Form):
    note = forms.CharField(
        label="Note for the order history",
        max_length=200,
        required=False,
        help_text="Optional, e.g. the carrier's tracking number. The customer may see it: no personal data.",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="Kept in the order history, where the customer may see it: no personal data.",
    )


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="In the order's currency, at most what is left to refund; cents after a point (12.50).",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="Kept in the order history, where the customer may see it: no personal data.",
    )


ORDER_FIELDS = ("number", "status", "payment_state", "cancel_reason", "customer", "placed_at", "updated_at", "released_at")
AMOUNT_FIELDS = (
    "currency",
    "base_subtotal",
    "deal_discount",
    "promotion_discount",
    "coupon_discount",
    "coupon_code",
    "subtotal",
    "shipping_method",
    "shipping",
    "tax",
    "total",
    "refunded",
    "refund_history",
)


@dataclass(frozen=True)
class _Action:
    label: str
    url: str


@admin.register(Order)
class OrderAdmin(StaffReadMixin, admin.ModelAdmin):
    list_display = ("number", "status", "payment_state", "total_display", "placed_at")
    list_filter = ("status", "payment_state", ("placed_at", admin.DateFieldListFilter))
    search_fields = ("number",)
    search_help_text = "Find an order by its number (the start of it is enough)."
    ordering = ("-placed_at", "-id")
    show_full_result_count = False
    actions = ("move_to_fulfilling", "move_to_shipped", "move_to_delivered")
    fieldsets = (
        (None, {"fields": ORDER_FIELDS}),
        ("Amounts", {"fields": AMOUNT_FIELDS}),
        ("Shipping address", {"fields": ("shipping_address",)}),
    )
    readonly_fields = (*ORDER_FIELDS, *AMOUNT_FIELDS, "shipping_address")
    inlines = (OrderLineInline, PaymentInline, OrderEventInline)

    # --- permissions: read-only record, never added or deleted here ------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed at the checkout

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # never edited through a form: changes go through the services, from the action pages

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # tax records: kept for the legal period, never deleted from the admin

    def has_act_permission(self, request: HttpRequest) -> bool:
        """May move, cancel and refund orders: Django's "change order" permission."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    # --- list -----------------------------------------------------------------------------------------------------

    @admin.display(description="Total", ordering="total")
    def total_display(self, obj: Order) -> str:
        return _amount(obj.total, obj.currency)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Order], search_term: str
    ) -> tuple[QuerySet[Order], bool]:
        term = "".join(search_term.split()).upper()
        if not term:
            return queryset, False
        return queryset.filter(number__startswith=term[:16]), False

    # --- change page ----------------------------------------------------------------------------------------------

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._ship_to_shown = request.GET.get(SHOW_SHIP_TO) == "show"
        return obj

    @admin.display(description="Customer")
    def customer(self, obj: Order) -> SafeString:
        url = reverse("admin:accounts_user_change", args=[obj.user_id])
        return format_html('<a href="{}">account #{}</a>', url, obj.user_id)

    @admin.display(description="Refunds")
    def refund_history(self, obj: Order) -> SafeString:
        refunds = Refund.objects.filter(payment__order=obj).order_by("created_at", "id")
        rows = [(refund.created_at, _amount(refund.amount, obj.currency), refund.reason or "—") for refund in refunds]
        if not rows:
            return format_html("{}", "None")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {} ({})</li>", rows))

    @admin.display(description="Shipping address")
    def shipping_address(self, obj: Order) -> SafeString:
        if not getattr(obj, "_ship_to_shown", False):
            return format_html(
                '<a href="?{}=show">Show the shipping address</a>'
                '<div class="help">It is decrypted only when you ask, and the read is logged for the customer.</div>',
                SHOW_SHIP_TO,
            )
        values = personal_data_read(
            actor=_reader(obj),
            subject=obj.subject,
            instance=obj,
            fields=SHIP_TO_MEMBERS,
            purpose=Purpose.SERVICE,
            context={"screen": "admin order", "order": obj.number},
        )
        return format_html(
            '{}<div class="help">Decrypted for you; this read is logged for the customer.</div>',
            ", ".join(_address_lines(values)),
        )

    def order_actions(self, request: HttpRequest, order: Order) -> list[_Action]:
        """The buttons the order's status allows, for a staff member who may act."""
        if not self.has_act_permission(request):
            return []
        actions = [
            _Action(label, self._url("status", order, to_status))
            for to_status, label in STAFF_STATUSES.items()
            if transition_allowed(order.status, to_status)
        ]
        if order.status in REFUNDABLE and order.refunded < order.total:
            actions.append(_Action("Refund", self._url("refund", order)))
        if transition_allowed(order.status, OrderStatus.CANCELLED):
            actions.append(_Action("Cancel order", self._url("cancel", order)))
        return actions

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None:
            context["order_actions"] = self.order_actions(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    # --- action pages -----------------------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/status/<str:to_status>/", wrap(self.status_view), name=f"{prefix}_status"),
            path("<path:object_id>/cancel/", wrap(self.cancel_view), name=f"{prefix}_cancel"),
            path("<path:object_id>/refund/", wrap(self.refund_view), name=f"{prefix}_refund"),
            *super().get_urls(),
        ]

    def _url(self, view: str, order: Order, *args: object) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=[order.pk, *args])

    def _change_url(self, order: Order) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[order.pk])

    def _order_to_act_on(self, request: HttpRequest, object_id: str) -> Order | HttpResponseRedirect:
        """The order to change, or the admin's own "does not exist" redirect; PermissionDenied if the staff may not act."""
        if not self.has_act_permission(request):
            raise PermissionDenied
        object_pk = unquote(object_id)
        order = Order.objects.filter(pk=int(object_pk)).first() if object_pk.isdigit() else None
        if order is None:
            self.message_user(request, f"There is no order with ID “{object_id}”.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))
        return order

    def _action_page(self, request: HttpRequest, order: Order, *, form: forms.Form, title: str, submit: str) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": order,
            "title": title,
            "subtitle": str(order),
            "form": form,
            "submit_label": submit,
            "back_url": self._change_url(order),
            "paid": _amount(order.total, order.currency),
            "refunded": _amount(order.refunded, order.currency),
            "left": _amount(order.total - order.refunded, order.currency),
        }
        return TemplateResponse(request, "admin/orders/order/action_form.html", context)

    def _done(self, request: HttpRequest, order: Order, message: str) -> HttpResponseRedirect:
        self.log_change(request, order, message)
        self.message_user(request, f"Order {order.number}: {message}", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(order))

    def status_view(self, request: HttpRequest, object_id: str, to_status: str) -> HttpResponse:
        order = self._order_to_act_on(request, object_id)
        if not isinstance(order, Order):
            return order
        if to_status not in STAFF_STATUSES:
            raise Http404("Staff move orders only along fulfilment here.")
        title = f"{STAFF_STATUSES[to_status]}: order {order.number}"
        form = StatusForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                order_status_set(order=order, to_status=to_status, actor=STAFF_ACTOR, note=form.cleaned_data["note"])
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return self._action_page(request, order, form=form, title=title, submit=STAFF_STATUSES[to_status])
            return self._done(request, order, f"status set to {order.get_status_display().lower()}.")
        return self._action_page(request, order, form=form, title=title, submit=STAFF_STATUSES[to_status])

    def cancel_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_to_act_on(request, object_id)
        if not isinstance(order, Order):
            return order
        title = f"Cancel order {order.number}"
        form = CancelForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                order_cancel(order=order, actor=STAFF_ACTOR, reason=form.cleaned_data["reason"])
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return self._action_page(request, order, form=form, title=title, submit="Cancel the order")
            return self._done(request, order, "cancelled; stock, deal units and coupon released.")
        return self._action_page(request, order, form=form, title=title, submit="Cancel the order")

    def refund_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self._order_to_act_on(request, object_id)
        if not isinstance(order, Order):
            return order
        title = f"Refund order {order.number}"
        form = RefundForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            amount = form.cleaned_data["amount"]
            try:
                order_refund(order=order, amount=amount, actor=STAFF_ACTOR, reason=form.cleaned_data["reason"])
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return self._action_page(request, order, form=form, title=title, submit="Refund")
            return self._done(request, order, f"refunded {_amount(amount, order.currency)}.")
        return self._action_page(request, order, form=form, title=title, submit="Refund")

    # --- list actions: fulfilment steps for many orders at once ---------------------------------------------------

    def _move_many(self, request: HttpRequest, queryset: QuerySet[Order], to_status: str) -> None:
        moved: list[str] = []
        refused: list[str] = []
        for order in queryset.order_by("placed_at", "id"):
            try:
                order_status_set(order=order, to_status=to_status, actor=STAFF_ACTOR)
            except ApplicationError as error:
                refused.append(f"{order.number} ({error.message})")
                continue
            self.log_change(request, order, f"status set to {to_status}.")
            moved.append(order.number)
        if moved:
            self.message_user(request, f"Moved to {to_status}: {', '.join(moved)}.", messages.SUCCESS)
        if refused:
            self.message_user(request, f"Not moved: {'; '.join(refused)}", messages.ERROR)

    @admin.action(description="Start packing the selected orders", permissions=["act"])
    def move_to_fulfilling(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._move_many(request, queryset, OrderStatus.FULFILLING)

    @admin.action(description="Mark the selected orders as shipped", permissions=["act"])
    def move_to_shipped(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._move_many(request, queryset, OrderStatus.SHIPPED)

    @admin.action(description="Mark the selected orders as delivered", permissions=["act"])
    def move_to_delivered(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        self._move_many(request, queryset, OrderStatus.DELIVERED)
