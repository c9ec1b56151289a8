"""Checkout, the customer's orders, and the payment provider's webhook (mounted at the site's root)."""

from django.urls import URLPattern, path

from allbuy.orders import views

app_name = "orders"

urlpatterns: list[URLPattern] = [
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/review/", views.checkout_review, name="checkout_review"),
    path("orders/", views.order_list, name="list"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/cancel/", views.order_cancel_view, name="cancel"),
    path("payments/webhook/", views.payment_webhook, name="payment_webhook"),
]
