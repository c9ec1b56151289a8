"""Settings for `make bench`: the production-like stack (DEBUG off) on a dedicated database, plus the floor view.

The floor (`/_bench/floor`, see `bench/urls.py`) exists only here, never in the shop's own URLs.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, VAR_DIR, env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.urls"

# The bench builds its own SQLite file afresh on every run (migrate + seed_demo), so a run never touches
# the development database and every run measures the same catalog. An explicit DATABASE_URL
# (e.g. PostgreSQL) is used as given: the bench migrates and seeds into it but never drops it.
BENCH_DATABASE_DISPOSABLE = not env.str("DATABASE_URL", default="")
if BENCH_DATABASE_DISPOSABLE:
    DATABASES["default"]["NAME"] = VAR_DIR / "bench.sqlite3"
