from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "allbuy.tracking"
    label = "tracking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allbuy.storefront.visitor import slot_register
        from allbuy.tracking import signals  # noqa: F401  (consent and visitor link follow the account at sign-in)
        from allbuy.tracking.banner import CONSENT_SLOT, consent_slot_html

        slot_register(CONSENT_SLOT, consent_slot_html)
