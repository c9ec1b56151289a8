from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "allbuy.accounts"
    label = "accounts"
