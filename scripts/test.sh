#!/bin/sh
# Install and run every test: lint, migrations check, the whole pytest suite (browser journeys included).
# The database is SQLite unless DATABASE_URL is set (e.g. postgres://postgres@127.0.0.1:5432/test).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install.sh test
export ANZHI_TESTING=1
.venv/bin/ruff check .
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
    echo "makemigrations --check: models and migrations differ" >&2; exit 1; }
exec .venv/bin/python -m pytest "$@"
