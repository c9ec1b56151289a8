from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "allbuy.catalog"
    label = "catalog"

    def ready(self) -> None:
        from allbuy.catalog import signals

        signals.connect()
