from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "allbuy.api"
    label = "api"
