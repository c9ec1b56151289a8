from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "allbuy.payments"
    label = "payments"
    verbose_name = "Payments"
