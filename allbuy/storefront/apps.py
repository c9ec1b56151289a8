from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    name = "allbuy.storefront"
    label = "storefront"
