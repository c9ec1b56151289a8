from django.urls import path

from allbuy.tracking import views

app_name = "tracking"

urlpatterns = [
    path("privacy/cookies", views.cookie_settings, name="cookie_settings"),
    path(".well-known/gpc.json", views.gpc_declaration, name="gpc"),
    path("events/batch", views.events_batch, name="events_batch"),
]
