"""Django settings for anzhi.

Everything deployment-specific comes from environment variables (see anzhi/env.py):
SQLite when DATABASE_URL is unset, PostgreSQL by DATABASE_URL; a real SECRET_KEY is
required whenever DEBUG is off.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import bootstrap_wrapper
import dj_database_url

from anzhi.env import SettingError, env_bool, env_int, env_list, env_networks, env_str, map_tile_sources

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ANZHI_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", False)
TESTING = env_bool("ANZHI_TESTING", False) or "pytest" in sys.modules

_secret = env_str("SECRET_KEY")
if _secret is None:
    # A single-machine install needs no configuration: a random key is made once and kept in the var
    # folder (readable by the owner only). It also keys the audit chain unless AUDIT_CHAIN_KEY is set,
    # so keep a copy of var/secret_key (or set both variables) when moving or restoring an installation.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import os
        import secrets

        try:
            fd = os.open(_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    _secret = _key_file.read_text().strip()
    if len(_secret) < 32:
        raise SettingError(f"{_key_file} holds a key shorter than 32 characters; delete it or set SECRET_KEY")
SECRET_KEY: str = _secret

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "core",
    "accounts",
    "orgs",
    "enterprises",
    "audit",
    "workdays",
    "notifications",
    "escalation",
    "campaigns",
    "ledgers",
    "hazards",
    "risk",
    "checks",
    "documents",
    "enforcement",
    "accidents",
    "tips",
    "credit",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First after SecurityMiddleware, so that every response carries the policy: pages, API, error pages,
    # static files, and the redirects and refusals of the middleware below.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.NulQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionSecurityMiddleware",
    "core.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "anzhi.urls"
WSGI_APPLICATION = "anzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'anzhi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite) or _default_sqlite)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the web process and the background worker read while the other writes.
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    DATABASES["default"]["TEST"] = {"NAME": env_str("ANZHI_TEST_SQLITE", "") or None}
else:
    # Django opens a connection per request by default: a TCP and authentication round trip every time. Either a
    # pool shared by the server's threads (ANZHI_DB_POOL=<max connections>, psycopg_pool through Django's own
    # support), or persistent connections per thread for ANZHI_DB_CONN_MAX_AGE seconds (the default). Tests keep
    # one connection per use unless told otherwise, so that a thread's connection never outlives its test.
    _pool_size = env_int("ANZHI_DB_POOL", 0, minimum=0)
    if _pool_size:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, _pool_size), "max_size": _pool_size, "timeout": env_int("ANZHI_DB_POOL_TIMEOUT", 10, minimum=1)}
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections together with a pool
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("ANZHI_DB_CONN_MAX_AGE", 0 if TESTING else 60, minimum=0)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation of queries (PostgreSQL ≥ 11 compiles any query whose estimated cost passes jit_above_cost):
    # the pages' queries return a page of rows, and a scoped count whose plan carries one sub-plan per deadline source
    # spent 1.1 s compiling and 44 ms running (the home page's pending decisions at 10M hazards). ANZHI_DB_JIT=1 keeps
    # the server's setting.
    if not env_bool("ANZHI_DB_JIT", False):
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.PolicyBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.PolicyPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Reverse proxies (IPs or CIDR blocks) whose X-Forwarded-For / X-Real-IP headers are believed; from
# anyone else those headers are ignored and the peer address is the client (core.net.client_ip).
ANZHI_TRUSTED_PROXIES = env_networks("ANZHI_TRUSTED_PROXIES")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    ("bootstrap", Path(bootstrap_wrapper.__file__).resolve().parent.parent / "bootstrap"),
    # Leaflet's own files, shipped by django-leaflet (its Django app needs GDAL, so only the files are used).
    ("leaflet", Path(importlib.util.find_spec("leaflet").origin).resolve().parent / "static" / "leaflet"),  # type: ignore[arg-type, union-attr]
    # Tom Select (the searchable pickers, core/pickers.py), as the django-tomselect package ships it: only its
    # files — its widget writes an inline script per field, which the Content-Security-Policy refuses.
    ("tomselect", Path(importlib.util.find_spec("django_tomselect").origin).resolve().parent  # type: ignore[arg-type, union-attr]
     / "static" / "django_tomselect"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("ANZHI_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
if TESTING and not env_str("ANZHI_MEDIA_ROOT"):
    import tempfile

    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="anzhi-test-media-"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["core.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.paging.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "安治 anzhi API",
    "DESCRIPTION": "安全生产治理平台接口。会话认证（浏览器）或令牌认证（Authorization: Token <令牌>）。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CampaignTaskSourceEnum": "campaigns.choices.TaskSource",
        "CampaignTaskStatusEnum": "campaigns.choices.TaskStatus",
        "CampaignReportStateEnum": "campaigns.choices.ReportState",
        "HazardSourceEnum": "hazards.choices.Source",
        "HazardStatusEnum": "hazards.choices.Status",
        "RiskGradeEnum": "risk.choices.Grade",
        "HazardGradeEnum": "hazards.choices.Grade",
        "RiskPointKindEnum": "risk.choices.PointKind",
        "RiskControlLevelEnum": "risk.choices.ControlLevel",
        "ChecklistKindEnum": "checks.choices.ListKind",
        "CheckRunStatusEnum": "checks.choices.RunStatus",
        "CheckFrequencyEnum": "checks.choices.Frequency",
        "CheckerLevelEnum": "checks.choices.CheckerLevel",
    },
}

# Background tasks. "db" (the default) stores them in the database and needs no other service: `serve` runs them in a
# worker thread, or `manage.py db_worker` in a process of its own. "rq" queues them in Redis (ANZHI_REDIS_URL) for
# deployments that run several web processes and workers: `manage.py rqworker default` runs them. Tests run tasks
# at once; the RQ path has its own test against a real Redis (core/tests/test_task_backends.py).
TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
ANZHI_TASK_BACKEND = env_str("ANZHI_TASK_BACKEND", "db") or "db"
if ANZHI_TASK_BACKEND not in TASK_BACKENDS:
    raise SettingError(f"ANZHI_TASK_BACKEND must be one of {', '.join(TASK_BACKENDS)}, got {ANZHI_TASK_BACKEND!r}")
# Tests use their own Redis database, so that a test run never empties a real queue.
ANZHI_REDIS_URL = env_str("ANZHI_TEST_REDIS_URL" if TESTING else "ANZHI_REDIS_URL",
                          "redis://127.0.0.1:6379/15" if TESTING else "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": ANZHI_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
if ANZHI_TASK_BACKEND == "rq":
    if importlib.util.find_spec("django_tasks_rq") is None:
        raise SettingError('ANZHI_TASK_BACKEND=rq needs the scale extra: .venv/bin/pip install -e ".[scale]"')
    INSTALLED_APPS.append("django_rq")
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend" if TESTING else TASK_BACKENDS[ANZHI_TASK_BACKEND],
    }
}

ANZHI_EMAIL_NOTIFICATIONS = env_bool("ANZHI_EMAIL_NOTIFICATIONS", False)
ANZHI_SITE_URL = env_str("ANZHI_SITE_URL", "") or ""  # absolute links in e-mails
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "anzhi@localhost")

# Keyed chain for the audit log: without this key a forger cannot recompute the chain.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY", SECRET_KEY)
# PostgreSQL: the change log's range partitions hold this many event numbers each (core/partitions.py); at a
# province's ~1M events a day, about seven weeks a partition.
AUDIT_PARTITION_SIZE = env_int("ANZHI_AUDIT_PARTITION_SIZE", 50_000_000, minimum=1_000)
# Signed checkpoints of that chain (core/anchor.py) are appended to a file in this folder, so that whoever can
# rewrite the database cannot also rewrite them. The default sits beside the var folder, not in it; production
# points it at another disk or host, or at append-only (WORM) storage.
ANZHI_CHAIN_ANCHOR_DIR = Path(env_str("ANZHI_CHAIN_ANCHOR_DIR") or VAR_DIR.parent / f"{VAR_DIR.name}-anchor")
if TESTING and not env_str("ANZHI_CHAIN_ANCHOR_DIR"):
    import tempfile

    ANZHI_CHAIN_ANCHOR_DIR = Path(tempfile.mkdtemp(prefix="anzhi-test-anchor-"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

ANZHI_MAX_UPLOAD_MB = env_int("ANZHI_MAX_UPLOAD_MB", 20, minimum=1)

# Public tips (tips app): Fernet keys for the reporter's identity (comma-separated, first encrypts; unset: a key
# made once in var/tips_key), and the public page's limits per client address and per tracking code.
ANZHI_TIPS_KEYS = env_list("ANZHI_TIPS_KEYS", [])
ANZHI_TIPS_SUBMIT_PER_HOUR = env_int("ANZHI_TIPS_SUBMIT_PER_HOUR", 5, minimum=1)
ANZHI_TIPS_SUBMIT_PER_DAY = env_int("ANZHI_TIPS_SUBMIT_PER_DAY", 20, minimum=1)
ANZHI_TIPS_LOOKUP_PER_HOUR = env_int("ANZHI_TIPS_LOOKUP_PER_HOUR", 60, minimum=1)
ANZHI_TIPS_CODE_LOOKUP_PER_HOUR = env_int("ANZHI_TIPS_CODE_LOOKUP_PER_HOUR", 30, minimum=1)
ANZHI_TIPS_MAX_PHOTOS = env_int("ANZHI_TIPS_MAX_PHOTOS", 3, minimum=0)
ANZHI_TIPS_PHOTO_MAX_MB = env_int("ANZHI_TIPS_PHOTO_MAX_MB", 5, minimum=1)
# Word templates of generated documents (documents app): a letterhead template is tens of KB.
ANZHI_DOC_TEMPLATE_MAX_MB = env_int("ANZHI_DOC_TEMPLATE_MAX_MB", 5, minimum=1)

# Spreadsheet imports (core.spreadsheet, core.imports): a file above the size or row ceiling is refused
# before its rows are read; above ANZHI_IMPORT_BACKGROUND_ROWS rows it is imported by the background
# worker while the page shows a progress bar.
# Lists count at most this many rows (core/paging.py): below it the count is exact, above it "超过 N 条".
ANZHI_COUNT_CAP = env_int("ANZHI_COUNT_CAP", 10_000, minimum=100)
# A free-text search (a list's ``q``) counts its matches to this cap (core.paging.CappedPaginator.cap).
ANZHI_SEARCH_COUNT_CAP = env_int("ANZHI_SEARCH_COUNT_CAP", 1_000, minimum=100)
# A list's count gives up after this many milliseconds on PostgreSQL (0: never); the page says so (core/paging.py).
ANZHI_COUNT_MS = env_int("ANZHI_COUNT_MS", 50, minimum=0)
# Background jobs that work in batches (the escalation sweep, a large enterprise import) yield to the users: on PostgreSQL, after a batch, while
# other connections are running statements, the job pauses this many times the batch's own duration (core.background
# .yield_to_users; 0: never). At 2 the job takes at most a third of a database core while users are active, and runs
# at full speed on an idle database.
ANZHI_BACKGROUND_YIELD = env_int("ANZHI_BACKGROUND_YIELD", 0 if TESTING else 2, minimum=0)
ANZHI_IMPORT_MAX_BYTES = env_int("ANZHI_IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=10 * 1024)
ANZHI_IMPORT_MAX_ROWS = env_int("ANZHI_IMPORT_MAX_ROWS", 20_000, minimum=1)
ANZHI_IMPORT_BACKGROUND_ROWS = env_int("ANZHI_IMPORT_BACKGROUND_ROWS", 2_000, minimum=0)

# Maps work offline: Leaflet's files come from the django-leaflet package; no tiles unless configured
# (e.g. 天地图: ANZHI_MAP_TILE_URL="https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY").
ANZHI_MAP_TILE_URL = env_str("ANZHI_MAP_TILE_URL", "") or ""
ANZHI_MAP_TILE_ATTRIBUTION = env_str("ANZHI_MAP_TILE_ATTRIBUTION", "") or ""

# Content-Security-Policy (django-csp) on every response: the browser runs only scripts and styles served
# from this site's own static files, so a name that slips past escaping cannot run. No inline script, no
# inline event handler, no inline style (templates use classes; scripts set styles through the DOM, which
# CSP allows), no eval. Data reaches scripts through json_script / data- attributes. img-src allows data:
# URIs for Bootstrap's built-in SVG icons, and the map tile server when one is configured.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *map_tile_sources(ANZHI_MAP_TILE_URL)],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
