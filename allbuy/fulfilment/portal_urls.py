"""The merchant portal, mounted at `/merchant/`."""

from django.urls import URLPattern, path

from allbuy.fulfilment import portal_views as views

app_name = "merchant"

urlpatterns: list[URLPattern] = [
    path("", views.shipment_list, name="shipments"),
    path("switch/", views.merchant_switch, name="switch"),
    path("shipments/<str:public_id>/", views.shipment_detail, name="shipment"),
    path("shipments/<str:public_id>/slip/", views.shipment_slip, name="slip"),
    path("shipments/<str:public_id>/move/", views.shipment_move_view, name="move"),
    path("sales/", views.sales, name="sales"),
    path("products/", views.product_list, name="products"),
    path("products/<int:product_id>/", views.product_edit, name="product"),
]
