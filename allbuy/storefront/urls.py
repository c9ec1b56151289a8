from django.urls import path

from allbuy.storefront import views

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("deals/", views.deals, name="deals"),
    path("search", views.search, name="search"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path("brands/<slug:slug>/", views.brand, name="brand"),
    path("products/<slug:slug>/", views.product, name="product"),
    path("products/<slug:slug>/variant", views.product_variant, name="product_variant"),
]
