from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "allbuy.privacy"
    label = "privacy"

    def ready(self) -> None:
        from allbuy.privacy import checks  # noqa: F401  (registers the data-map system checks)
