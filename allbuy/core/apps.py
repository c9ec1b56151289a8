from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "allbuy.core"
    label = "core"
