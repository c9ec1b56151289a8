from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "allbuy.cart"
    label = "cart"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allbuy.cart import signals  # noqa: F401  (merge the visitor's cart into the account's at sign-in)
