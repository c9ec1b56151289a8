"""Settings for `make bench`: the production-like stack (DEBUG off) on a dedicated database, plus the floor view.

The floor (`/_bench/floor`, see `bench/urls.py`) exists only here, never in the shop's own URLs.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, VAR_DIR, env

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.urls"

# The bench migrates and seeds its own SQLite file, so a run never touches the development database;
# an explicit DATABASE_URL (e.g. PostgreSQL) is used as given, and the bench seeds into it.
if not env.str("DATABASE_URL", default=""):
    DATABASES["default"]["NAME"] = VAR_DIR / "bench.sqlite3"
