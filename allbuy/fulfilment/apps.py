from django.apps import AppConfig


class FulfilmentConfig(AppConfig):
    name = "allbuy.fulfilment"
    label = "fulfilment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allbuy.fulfilment import signals  # noqa: F401  (shipments and grants follow the order's payment)
