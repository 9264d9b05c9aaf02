#!/bin/sh
# Install and start anzhi on SQLite with the Xiangxiang structure, the seed plan and demo data.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install.sh
PORT="${PORT:-8000}"
.venv/bin/python manage.py compile_translations >/dev/null
.venv/bin/python manage.py bootstrap --demo
.venv/bin/python manage.py collectstatic --noinput -v0
echo
echo "打开 http://127.0.0.1:${PORT}/ ，用上面列出的任一演示账号登录。"
exec .venv/bin/python manage.py serve --port "$PORT"
