"""Settings for the test suite: fast hashing, in-memory cache, eager tasks."""

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "allbuy-test"},
    "axes": AXES_CACHE_DATABASE,  # noqa: F405
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# A fixed, test-only master key (version 1); tests that rotate keys build their own keyrings.
ALLBUY_MASTER_KEY = "1:dGVzdC1vbmx5LW1hc3Rlci1rZXktLS0tLS0tLS0tLS0="
ALLBUY_MASTER_KEY_AUTOCREATE = False
