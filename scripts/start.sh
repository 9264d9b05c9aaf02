#!/bin/sh
# Install and start anzhi on SQLite with the Xiangxiang structure, the seed plan and demo data.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install.sh
PORT="${PORT:-8000}"
.venv/bin/python manage.py bootstrap --demo
echo
echo "打开 http://127.0.0.1:${PORT}/ ，用上面列出的任一演示账号登录。"
# serve compiles the translations and collects the static files itself when they are missing or stale.
exec .venv/bin/python manage.py serve --port "$PORT"
