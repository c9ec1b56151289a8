"""Settings for the test suite: fast hashing, in-memory cache, eager tasks, Facebook played by a local stand-in."""

import socket

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "allbuy-test"},
    "axes": AXES_CACHE_DATABASE,  # noqa: F405
    "ratelimit": RATELIMIT_CACHE_DATABASE,  # noqa: F405
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
# Never the folder `make run` and `make bench` collect into: a collectstatic running beside the tests would pull files
# from under WhiteNoise's index. Nothing is collected here (the test runs serve static files through the finders).
STATIC_ROOT = VAR_DIR / "test-staticfiles"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# No access-log files from tests; the tests of access logs point it at their own tmp_path.
ALLBUY_ACCESS_LOG_DIR = ""
# A fixed, test-only master key (version 1); tests that rotate keys build their own keyrings.
ALLBUY_MASTER_KEY = "1:dGVzdC1vbmx5LW1hc3Rlci1rZXktLS0tLS0tLS0tLS0="
ALLBUY_MASTER_KEY_AUTOCREATE = False

# Facebook login goes to a stand-in on 127.0.0.1 (tests/e2e/facebook_standin.py): Facebook cannot be reached from test
# machines, and tests must never call it. allauth reads the provider URLs once, when its Facebook modules are imported, so
# the stand-in's port must be known now: this process reserves a free loopback port by binding a socket here (bound, not
# listening, so nothing hangs on it before the stand-in starts) and the e2e fixture serves on that very socket. Each
# pytest-xdist worker, and each concurrent test run on the machine, gets its own port with no race and no configuration.
FACEBOOK_STANDIN_SOCKET = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
FACEBOOK_STANDIN_SOCKET.bind(("127.0.0.1", 0))
FACEBOOK_STANDIN_URL = f"http://127.0.0.1:{FACEBOOK_STANDIN_SOCKET.getsockname()[1]}"
FACEBOOK_APP_ID = "100000000000042"
FACEBOOK_APP_SECRET = "test-only-app-secret-for-the-facebook-stand-in"  # noqa: S105
SOCIALACCOUNT_PROVIDERS = {
    **SOCIALACCOUNT_PROVIDERS,  # noqa: F405
    "facebook": {
        **SOCIALACCOUNT_PROVIDERS["facebook"],  # noqa: F405
        "APP": {"client_id": FACEBOOK_APP_ID, "secret": FACEBOOK_APP_SECRET, "key": ""},
        "AUTHORIZE_URL": f"{FACEBOOK_STANDIN_URL}/dialog/oauth",
        "GRAPH_API_URL": f"{FACEBOOK_STANDIN_URL}/graph",
    },
}

# Tests rebuild recommendations when they mean to (allbuy/personalisation/tests/test_embedded_rebuild.py).
ALLBUY_RECOMMENDATIONS_EMBEDDED_REBUILD_SECONDS = 0
