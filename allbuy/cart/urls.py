from django.urls import URLPattern, path

from allbuy.cart import views

app_name = "cart"

urlpatterns: list[URLPattern] = [
    path("cart/", views.detail, name="detail"),
    path("cart/add/", views.add, name="add"),
    path("cart/lines/<int:line_id>/", views.line_update, name="line_update"),
    path("cart/lines/<int:line_id>/remove/", views.line_remove, name="line_remove"),
    path("cart/coupon/", views.coupon_apply, name="coupon_apply"),
    path("cart/coupon/remove/", views.coupon_remove, name="coupon_remove"),
    path("cart/checkout/", views.proceed, name="proceed"),
]
