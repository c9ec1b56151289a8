"""Settings shared by every environment, read from the environment through one `env` object.

Every variable read here is listed, with a comment, in `.env.example`; a test enforces it.
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="allbuy-embedded-default-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # AllBuy's apps come before allauth so that their templates override allauth's.
    "allbuy.core",
    "allbuy.privacy",
    "allbuy.accounts",
    "allbuy.catalog",
    "allbuy.coupons",
    "allbuy.payments",
    "allbuy.deals",
    "allbuy.cart",
    "allbuy.orders",
    "allbuy.fulfilment",
    "allbuy.tracking",
    "allbuy.personalisation",
    "allbuy.storefront",
    "allbuy.api",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.facebook",
    "axes",
]

MIDDLEWARE = [
    # First: gives every request its id and logs it (no personal data), whatever the middleware below answer.
    "allbuy.tracking.access_log.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Sets the consent and visitor-id cookies that this request's decisions imply.
    "allbuy.tracking.cookies.ConsentMiddleware",
    # Last, as django-axes requires: turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "allbuy" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "allbuy.privacy.context_processors.policy_banner",
            ],
        },
    },
]

# The embedded default is an SQLite file in var/; production points DATABASE_URL at PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN,
        # so concurrent writers queue instead of failing with "database is locked" mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Persistent connections: measured 2.6x throughput on write endpoints (shared/perf-notes.md). SQLite too:
# opening a connection and running its PRAGMAs costs more than a whole cached catalog page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

REDIS_URL = env.str("REDIS_URL", default="")
# Login-failure counters must be shared by every web worker: Redis in production, a database table
# (keys are SHA-256 digests, entries expire with the lockout) in the embedded default.
AXES_CACHE_DATABASE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "allbuy_axes_cache",
    # Past MAX_ENTRIES the database cache culls a third of the whole table (rate-limit counters share it): keep it high.
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
# Rate-limit counters (allbuy/coupons/ratelimit.py), shared by every worker the same way, in the same table.
# MAX_ENTRIES: the database cache culls a third of the table past it, which would forget counters under attack.
RATELIMIT_CACHE_DATABASE = {**AXES_CACHE_DATABASE, "KEY_PREFIX": "ratelimit", "OPTIONS": {"MAX_ENTRIES": 100_000}}
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "axes": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "axes"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "ratelimit"},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "allbuy"},
        "axes": AXES_CACHE_DATABASE,
        "ratelimit": RATELIMIT_CACHE_DATABASE,
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "allbuy" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Background work: Celery on Redis in production; without a broker tasks run eagerly in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or env.str("CELERY_BROKER_URL", default=""))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE

# How long rendered catalog fragments stay cached; any catalog change invalidates them at once.
ALLBUY_PAGE_CACHE_SECONDS = env.int("ALLBUY_PAGE_CACHE_SECONDS", default=300)
ALLBUY_CURRENCY = "EUR"
# The shop's local time zone: daily deals roll over at its midnight (DST-aware), whatever TIME_ZONE the server uses.
ALLBUY_TIMEZONE = env.str("ALLBUY_TIMEZONE", default="Europe/Berlin")

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # request_id: the id of the request being served ("-" outside one), also in its access-log line.
    "filters": {"request_id": {"()": "allbuy.tracking.access_log.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The embedded default serves product images from MEDIA_ROOT itself; production leaves that to the front server.
ALLBUY_SERVE_MEDIA = env.bool("ALLBUY_SERVE_MEDIA", default=True)

# Master keys wrap every data key (see allbuy/privacy/keyring.py). The embedded default creates a key file
# in var/ on first use; production refuses to start without ALLBUY_MASTER_KEY or the key file.
ALLBUY_MASTER_KEY = env.str("ALLBUY_MASTER_KEY", default="")
ALLBUY_MASTER_KEY_FILE = env.str("ALLBUY_MASTER_KEY_FILE", default=str(VAR_DIR / "master-keys.json"))
ALLBUY_MASTER_KEY_AUTOCREATE = True

# Sessions are stored encrypted (AES-256-GCM under a system key) in the database.
SESSION_ENGINE = "allbuy.privacy.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# Accounts: django-allauth by email. Addresses are never stored in plaintext: allauth sees only each
# address's blind index (see allbuy/accounts/models.py); the adapter maps it back when sending mail.
ACCOUNT_ADAPTER = "allbuy.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "allbuy.accounts.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "allbuy.accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AllBuy] "
# allauth's own failed-login limit, aligned with django-axes' 15-minute lockout.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/15m/key"}
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# The address behind an unknown sign-in key is unknowable, so no "unknown account" mails.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"  # production: https
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_QUERY_EMAIL = True
# Facebook login. The two URLs point allauth at a local stand-in in the browser tests (Facebook cannot be
# reached from test machines); allauth reads them once, at import time.
FACEBOOK_APP_ID = env.str("FACEBOOK_APP_ID", default="")
FACEBOOK_APP_SECRET = env.str("FACEBOOK_APP_SECRET", default="")
_facebook: dict[str, object] = {
    "METHOD": "oauth2",
    "SCOPE": ["email", "public_profile"],
    "FIELDS": ["id", "email", "name"],
    # Facebook returns only an address its owner has confirmed with Facebook.
    "VERIFIED_EMAIL": True,
    "APP": {"client_id": FACEBOOK_APP_ID, "secret": FACEBOOK_APP_SECRET, "key": ""},
}
if env.str("FACEBOOK_AUTHORIZE_URL", default=""):
    _facebook["AUTHORIZE_URL"] = env.str("FACEBOOK_AUTHORIZE_URL")
if env.str("FACEBOOK_GRAPH_API_URL", default=""):
    _facebook["GRAPH_API_URL"] = env.str("FACEBOOK_GRAPH_API_URL")
SOCIALACCOUNT_PROVIDERS = {"facebook": _facebook}

# Mail: printed to the console in the embedded default; production sets an SMTP URL.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AllBuy <no-reply@allbuy.example>")

# Brute-force lockout (django-axes): counters live in the cache, never in the database, and are keyed
# on the sign-in key (the blind index), never on the typed address.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "axes"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "allbuy.accounts.identity.axes_username"
AXES_USERNAME_FORM_FIELD = "login"
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False

# Coupon brute-forcing (allbuy/coupons/ratelimit.py): failed code attempts allowed per account and per IP address in
# each fixed window, counted in the "ratelimit" cache that every worker shares.
ALLBUY_COUPON_FAILURES_PER_ACCOUNT = env.int("ALLBUY_COUPON_FAILURES_PER_ACCOUNT", default=10)
ALLBUY_COUPON_FAILURES_PER_IP = env.int("ALLBUY_COUPON_FAILURES_PER_IP", default=30)
ALLBUY_COUPON_FAILURE_WINDOW_SECONDS = env.int("ALLBUY_COUPON_FAILURE_WINDOW_SECONDS", default=900)

# Payments: the gateway is a dotted path to a PaymentGateway subclass (see allbuy/payments/gateway.py); the
# default is the in-process test gateway. Its webhooks are signed with this secret; production refuses the
# development default below, and refuses the test gateway unless ALLBUY_PAYMENT_ALLOW_TEST_GATEWAY is on.
ALLBUY_PAYMENT_GATEWAY = env.str("ALLBUY_PAYMENT_GATEWAY", default="allbuy.payments.test_gateway.TestGateway")
ALLBUY_PAYMENT_WEBHOOK_SECRET_DEVELOPMENT = "allbuy-development-only-payment-webhook-secret"  # noqa: S105
ALLBUY_PAYMENT_WEBHOOK_SECRET = env.str("ALLBUY_PAYMENT_WEBHOOK_SECRET", default=ALLBUY_PAYMENT_WEBHOOK_SECRET_DEVELOPMENT)

# How many reverse proxies in front of the shop append to X-Forwarded-For (allbuy/core/net.py); 0 = none.
ALLBUY_TRUSTED_PROXIES = env.int("ALLBUY_TRUSTED_PROXIES", default=0)

# The shop's public address, for links in emails (order confirmations and updates), e.g. https://shop.example.com
ALLBUY_SITE_URL = env.str("ALLBUY_SITE_URL", default="http://127.0.0.1:8000")

# Schedules for `celery -A config beat` (production); the same jobs exist as management commands.
CELERY_BEAT_SCHEDULE = {
    "orders-expire-unpaid": {"task": "allbuy.orders.tasks.orders_unpaid_expire_task", "schedule": 300.0},
    "carts-purge": {"task": "allbuy.cart.tasks.carts_purge_task", "schedule": 86400.0},
    "recommendations-incremental": {
        "task": "allbuy.personalisation.tasks.recommendations_rebuild_task",
        "schedule": 600.0,
        "kwargs": {"full": False},
    },
    "recommendations-full": {
        "task": "allbuy.personalisation.tasks.recommendations_rebuild_task",
        "schedule": 86400.0,
        "kwargs": {"full": True},
    },
    "access-logs-purge": {"task": "allbuy.tracking.tasks.access_logs_purge_task", "schedule": 86400.0},
    # Also creates the next days' event partitions on PostgreSQL ahead of time.
    "events-purge": {"task": "allbuy.tracking.tasks.events_purge_task", "schedule": 86400.0},
}

# Merchants and carriers may read a shipment's address until this many days after its delivery.
ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY = env.int("ALLBUY_SHIPPING_GRANT_DAYS_AFTER_DELIVERY", default=14)

# Activity tracking (allbuy/tracking/), only with the visitor's consent. The visitor-id cookie lives this many days;
# raw behaviour events are kept this many days (on PostgreSQL whole day partitions are dropped).
ALLBUY_VISITOR_ID_DAYS = env.int("ALLBUY_VISITOR_ID_DAYS", default=90)
ALLBUY_EVENT_RETENTION_DAYS = env.int("ALLBUY_EVENT_RETENTION_DAYS", default=90)
# Without a Celery broker (no beat), each web worker rebuilds recommendations incrementally after storing events, at most
# once per this many seconds; 0 turns it off. Ignored with a broker: beat schedules the rebuilds.
ALLBUY_RECOMMENDATIONS_EMBEDDED_REBUILD_SECONDS = env.int("ALLBUY_RECOMMENDATIONS_EMBEDDED_REBUILD_SECONDS", default=600)
# Events accepted from one visitor per minute; more are dropped and counted as rate-limited.
ALLBUY_EVENTS_PER_VISITOR_PER_MINUTE = env.int("ALLBUY_EVENTS_PER_VISITOR_PER_MINUTE", default=600)

# Access logs (allbuy/tracking/access_log.py): one JSON line per request with no personal data (IPv4 /24, IPv6 /48,
# no query string, no cookies, no User-Agent), in daily files access-YYYY-MM-DD.jsonl (UTC) in this directory that
# several gunicorn workers append to safely; "-" writes the lines to standard output instead (container platforms),
# "" turns them off. Files older than ALLBUY_ACCESS_LOG_DAYS days are deleted daily (access_logs_purge).
ALLBUY_ACCESS_LOG_DIR = env.str("ALLBUY_ACCESS_LOG_DIR", default=str(VAR_DIR / "log"))
ALLBUY_ACCESS_LOG_DAYS = env.int("ALLBUY_ACCESS_LOG_DAYS", default=30)
