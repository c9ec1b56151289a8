"""AllBuy's own account pages, mounted at /accounts/ before allauth's (so `email/` replaces allauth's page)."""

from django.urls import URLPattern, URLResolver, path

from allbuy.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.account_home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("addresses/", views.address_list, name="addresses"),
    path("addresses/new/", views.address_create, name="address_create"),
    path("addresses/<int:address_id>/edit/", views.address_edit, name="address_edit"),
    path("addresses/<int:address_id>/delete/", views.address_delete, name="address_delete"),
    path("addresses/<int:address_id>/default/", views.address_set_default, name="address_set_default"),
    path("email/", views.email_manage, name="email"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
]
