from django.apps import AppConfig


class PersonalisationConfig(AppConfig):
    name = "allbuy.personalisation"
    label = "personalisation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allbuy.personalisation import signals  # noqa: F401  (rebuilds when events come in, without a broker)
        from allbuy.personalisation.slots import RECOMMENDED_SLOT, recommended_slot_render
        from allbuy.storefront.visitor import slot_register

        slot_register(RECOMMENDED_SLOT, recommended_slot_render)
