"""Production: no insecure defaults. Refuses to start without SECRET_KEY."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import env

SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters in production.")

DEBUG = False

ALLBUY_MASTER_KEY = env.str("ALLBUY_MASTER_KEY", default="")
ALLBUY_MASTER_KEY_FILE = env.str("ALLBUY_MASTER_KEY_FILE", default="")
ALLBUY_MASTER_KEY_AUTOCREATE = False
if not ALLBUY_MASTER_KEY and not (ALLBUY_MASTER_KEY_FILE and Path(ALLBUY_MASTER_KEY_FILE).is_file()):
    raise ImproperlyConfigured("Set ALLBUY_MASTER_KEY (or ALLBUY_MASTER_KEY_FILE to an existing key file) in production.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
ALLBUY_SERVE_MEDIA = env.bool("ALLBUY_SERVE_MEDIA", default=False)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Payments: webhooks must be signed with a real secret, and the test gateway (which charges nothing) runs only
# where it is explicitly allowed, e.g. a staging shop.
if ALLBUY_PAYMENT_WEBHOOK_SECRET in ("", ALLBUY_PAYMENT_WEBHOOK_SECRET_DEVELOPMENT):  # noqa: F405
    raise ImproperlyConfigured("ALLBUY_PAYMENT_WEBHOOK_SECRET must be set to your payment provider's webhook secret.")
ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY = env.bool("ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY", default=False)
if ALLBUY_PAYMENT_GATEWAY == "allbuy.payments.test_gateway.TestGateway" and not ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY:  # noqa: F405
    raise ImproperlyConfigured(
        "ALLBUY_PAYMENT_GATEWAY is the test gateway, which charges nothing: set a real gateway, or"
        " ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY=1 for a shop that must not take real payments."
    )
