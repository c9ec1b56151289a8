from django.apps import AppConfig


class CouponsConfig(AppConfig):
    name = "allbuy.coupons"
    label = "coupons"
