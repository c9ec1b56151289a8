#!/usr/bin/env bash
# The whole suite: lint, Django checks, then pytest on SQLite and, when reachable, on PostgreSQL.
# ALLBUY_REQUIRE_POSTGRES=1 turns a missing PostgreSQL into a failure (CI sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

echo "== lint"
"$bin/ruff" check .
"$bin/ruff" format --check .
"$bin/mypy" .

echo "== django checks"
DJANGO_SETTINGS_MODULE=config.settings.test "$bin/python" manage.py check --fail-level WARNING
DJANGO_SETTINGS_MODULE=config.settings.test "$bin/python" manage.py makemigrations --check --dry-run

# Two pytest-xdist workers (each with its own test database and its own stand-in ports): the suite on this
# 2-core machine takes ~6 minutes instead of ~10.
workers=(-n "${ALLBUY_TEST_WORKERS:-2}")

echo "== tests on SQLite"
env -u DATABASE_URL "$bin/pytest" "${workers[@]}" "$@"

pg_url="${ALLBUY_TEST_POSTGRES_URL:-}"
if [[ -z "$pg_url" && "${DATABASE_URL:-}" == postgres* ]]; then
  pg_url="$DATABASE_URL"
fi
pg_url="${pg_url:-postgres://postgres@127.0.0.1:5432/test}"
if "$bin/python" scripts/pg_reachable.py "$pg_url"; then
  echo "== tests on PostgreSQL"
  DATABASE_URL="$pg_url" "$bin/pytest" "${workers[@]}" "$@"
elif [[ "${ALLBUY_REQUIRE_POSTGRES:-0}" == "1" ]]; then
  echo "FAILED: PostgreSQL is required (ALLBUY_REQUIRE_POSTGRES=1) but not reachable at $pg_url" >&2
  exit 1
else
  echo "SKIPPED: the PostgreSQL run (no server reachable at $pg_url)"
fi
