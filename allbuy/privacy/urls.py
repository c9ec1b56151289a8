from django.urls import URLPattern, URLResolver, path, re_path
from django.views.generic import RedirectView

from allbuy.privacy import views

app_name = "privacy"

urlpatterns: list[URLPattern | URLResolver] = [
    path("privacy", views.policy, name="policy"),
    path("privacy/", RedirectView.as_view(pattern_name="privacy:policy", permanent=True, query_string=True)),
    path("privacy/history", views.policy_history_page, name="history"),
    re_path(r"^privacy/versions/(?P<version>[0-9A-Za-z._-]{1,20})$", views.policy_version, name="version"),
    path("privacy/acknowledge", views.policy_acknowledge_view, name="acknowledge"),
    path("accounts/privacy/", views.my_privacy, name="my_privacy"),
    path("accounts/privacy/download", views.my_privacy_download, name="my_privacy_download"),
]
