from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PrivacyConfig(AppConfig):
    name = "allbuy.privacy"
    label = "privacy"

    def ready(self) -> None:
        from allbuy.privacy import checks  # noqa: F401  (registers the data-map system checks)
        from allbuy.privacy.models import PolicyVersion
        from allbuy.privacy.policy import policy_cache_clear

        # A published, rescheduled or withdrawn version must show at once, not when the cache expires.
        post_save.connect(policy_cache_clear, sender=PolicyVersion, dispatch_uid="privacy-policy-cache-save")
        post_delete.connect(policy_cache_clear, sender=PolicyVersion, dispatch_uid="privacy-policy-cache-delete")
