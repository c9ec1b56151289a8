from django.apps import AppConfig


class PersonalisationConfig(AppConfig):
    name = "allbuy.personalisation"
    label = "personalisation"
    default_auto_field = "django.db.models.BigAutoField"
