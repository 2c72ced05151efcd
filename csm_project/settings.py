"""Settings for the CSM platform. Every deployment-specific value comes from the environment.

Environment variables:
- DEBUG: off unless set to true.
- SECRET_KEY: required unless DEBUG (a fixed development key is used in DEBUG only).
- DATABASE_URL: default a SQLite file next to manage.py; e.g. postgres://user@host:5432/db.
- DB_POOL: true to use psycopg's connection pool on PostgreSQL (default true); otherwise
  persistent connections (CONN_MAX_AGE) are used.
- ALLOWED_HOSTS: comma-separated; default localhost names (any host in DEBUG).
- SQLITE_BUSY_TIMEOUT: seconds a SQLite writer waits for the database's write lock (default 30).
- SQLITE_CHECKPOINT_SECONDS: how often each process checkpoints SQLite's WAL (default 60; 0 never).
- TIME_ZONE: the instance's default time zone for display values (default UTC).
- CSRF_TRUSTED_ORIGINS: comma-separated origins for the admin behind a proxy.
- Production security (README "Run it in production"): INSTANCE_URL, SECURE_SSL_REDIRECT,
  SECURE_HSTS_SECONDS, SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD, SECURE_COOKIES,
  SECURE_PROXY_SSL_HEADER.
- Operations: DB_CONNECT_TIMEOUT, DB_POOL_TIMEOUT, DB_SERVER_SIDE_BINDING, DB_PREPARE_THRESHOLD,
  DB_LOCK_TIMEOUT, DB_STATEMENT_TIMEOUT, DB_TIMEOUTS_ON_CONNECT,
  MAX_REQUEST_LINE, LOG_LEVEL, LOG_FORMAT,
  LOGIN_THROTTLE_FAILURES, LOGIN_THROTTLE_WINDOW.
- Scale-out (docs/deployment.md): DATABASE_REPLICA_URLS, DATABASE_REPLICA_MAX_LAG,
  DATABASE_REPLICA_CHECK_SECONDS, READ_YOUR_WRITES_SECONDS, DB_SERVER_SIDE_CURSORS, CACHE_URL,
  CACHE_KEY_PREFIX, ATTACHMENT_S3_BUCKET, ATTACHMENT_S3_ENDPOINT_URL, ATTACHMENT_S3_REGION,
  ATTACHMENT_S3_PREFIX.
- STATIC_ROOT: where ``collectstatic`` puts the static files the instance serves.
- METRICS_ENABLED, METRICS_TOKEN: Prometheus metrics at /metrics (docs/operations.md).
- AUDIT_RETENTION_DAYS, AUDIT_ARCHIVE_DIR: audit retention (docs/audit.md).
- API_DOCS_PUBLIC: false to require a signed-in user for /api/schema/ and /api/docs/.
"""

import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from csm_project.core.replicas.configuration import replica_databases
from csm_project.environment import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment unless DEBUG is true.")
    SECRET_KEY = "development-only-key-not-for-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"] if DEBUG else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The instance's public base URL (scheme and host, e.g. https://csm.example.com). Every
# absolute link the APIs emit starts with it, never with the request's Host header.
INSTANCE_URL = (env_str("INSTANCE_URL", "") or "").rstrip("/")
if INSTANCE_URL and (not INSTANCE_URL.startswith(("https://", "http://")) or "/" in INSTANCE_URL.split("://", 1)[1]):
    raise ImproperlyConfigured(
        f"INSTANCE_URL must be a scheme and host such as https://csm.example.com, not {INSTANCE_URL!r}"
    )

# Behind TLS (see README): redirect plain HTTP, announce HSTS, keep cookies on HTTPS only.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
# "HEADER,value" a trusted proxy sets on HTTPS requests, e.g. "HTTP_X_FORWARDED_PROTO,https".
# Set it only when the proxy always sets (or strips) that header itself.
_proxy_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_header:
    if len(_proxy_header) != 2 or not _proxy_header[0].startswith("HTTP_"):
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must be 'HTTP_HEADER_NAME,value', e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = (_proxy_header[0], _proxy_header[1])
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csm_project.core",
    "csm_project.attachments",
    # Order matters for seed_demo: each app's demo data may reference the apps above it.
    "contacts",
    "interactions",
    "leads",
    "cases",
    "csm_project.import_sets",  # after the apps whose tables its demo maps write
]

MIDDLEWARE = [
    "csm_project.ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csm_project.ops.middleware.RequestLineLimitMiddleware",
    "csm_project.ops.middleware.FaultAnswerMiddleware",
    "csm_project.ops.middleware.BodyWithoutLengthMiddleware",
    # POST with X-HTTP-Method-Override: PUT/PATCH/DELETE is that method from here on.
    "csm_project.api.method_override.MethodOverrideMiddleware",
    # Which reads may go to a read replica (only when DATABASE_REPLICA_URLS names some).
    "csm_project.core.replicas.middleware.ReadRoutingMiddleware",
    # Static files (the admin's, the API explorer's) served by the instance itself, also under gunicorn.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csm_project.core.access.actor.ActorMiddleware",
]

ROOT_URLCONF = "csm_project.urls"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "csm_project.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
    # psycopg's pool replaces persistent connections; Django refuses both at once.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN", 2),
        "max_size": env_int("DB_POOL_MAX", 20),
        # A request waits this long for a connection: a database outage is a quick 503.
        "timeout": env_int("DB_POOL_TIMEOUT", 5),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Seconds to establish a connection before giving up (libpq's connect_timeout).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
    # --- Waiting limits (docs/platform.md, "Errors") ---
    # No statement waits for a lock longer than DB_LOCK_TIMEOUT, nor runs longer than
    # DB_STATEMENT_TIMEOUT (seconds, 0 = no limit): both well below gunicorn's timeout, so a stuck
    # request is a 503 envelope with Retry-After rather than a worker killed mid-answer. Imports
    # and migrations lift the statement limit for their own transactions (docs/bulk-loads.md).
    _lock_timeout, _statement_timeout = env_int("DB_LOCK_TIMEOUT", 10), env_int("DB_STATEMENT_TIMEOUT", 30)
    _worker_timeout = env_int("GUNICORN_TIMEOUT", 60)
    if _worker_timeout and max(_lock_timeout, _statement_timeout) >= _worker_timeout:
        raise ImproperlyConfigured("DB_LOCK_TIMEOUT and DB_STATEMENT_TIMEOUT must be below GUNICORN_TIMEOUT.")
    if env_bool("DB_TIMEOUTS_ON_CONNECT", True):
        # Sent as startup options of each connection. A transaction-mode pooler (PgBouncer)
        # refuses startup options it cannot replay on its server connections: there, set this
        # to false and give the database role the same limits (docs/deployment.md, "PgBouncer").
        DATABASES["default"]["OPTIONS"].setdefault(
            "options", f"-c lock_timeout={_lock_timeout * 1000} -c statement_timeout={_statement_timeout * 1000}"
        )
    if env_bool("DB_SERVER_SIDE_BINDING", True):
        # Parameters bound by the server, so psycopg prepares a statement the connection has run
        # DB_PREPARE_THRESHOLD times and PostgreSQL stops re-planning it (the lead page's joins
        # cost more to plan than to run). Off: Django's default client-side binding.
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = env_int("DB_PREPARE_THRESHOLD", 5)

# --- SQLite's WAL journal (docs/sqlite.md) ---
# Every SQLite connection's settings. After a checkpoint the WAL file is cut back to 64 MiB
# (it is otherwise never shrunk); a commit checkpoints once the WAL holds 1000 pages; and each
# process checkpoints fully (TRUNCATE) at most every SQLITE_CHECKPOINT_SECONDS (0: never) after
# a request, so readers that never pause cannot let the WAL grow without limit.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA journal_size_limit=67108864",
    "PRAGMA wal_autocheckpoint=1000",
)
SQLITE_CHECKPOINT_SECONDS = env_int("SQLITE_CHECKPOINT_SECONDS", 60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for several concurrent writers (threads or server processes):
    # - WAL journal: readers never block the writer and the writer never blocks readers.
    # - synchronous=NORMAL: safe with WAL (a power cut may lose the last commits, never corrupt).
    # - IMMEDIATE write transactions: a transaction takes the write lock when it begins, so one
    #   that reads then writes waits its turn instead of failing with "database is locked" when
    #   another writer got there between its read and its write (SQLite cannot wait there).
    # - busy timeout: how long a writer waits for the lock before giving up (SQLITE_BUSY_TIMEOUT
    #   seconds). An import is one transaction: writers wait for it (docs/sqlite.md).
    # - the WAL file kept small: checkpoints (SQLITE_PRAGMAS, SQLITE_CHECKPOINT_SECONDS).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30),
            "transaction_mode": "IMMEDIATE",
            "init_command": "; ".join(SQLITE_PRAGMAS),
        }
    )

# --- Scale-out: read replicas, a pooler, the shared cache (docs/deployment.md) -------------------
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # QuerySet.iterator() holds a cursor open across transactions: off behind a pooler in
    # transaction mode, which may give the next transaction another server connection.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = not env_bool("DB_SERVER_SIDE_CURSORS", True)
DATABASES.update(replica_databases(DATABASES["default"], env_list("DATABASE_REPLICA_URLS", [])))
DATABASE_REPLICAS = tuple(alias for alias in DATABASES if alias != "default")
DATABASE_ROUTERS = ["csm_project.core.replicas.routing.ReplicaRouter"] if DATABASE_REPLICAS else []
# A replica further behind than this many seconds is skipped; checked this often per process.
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 2)
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 1)
# A client that wrote reads from the primary for this long (the signed cookie csm_ryw).
READ_YOUR_WRITES_SECONDS = env_int("READ_YOUR_WRITES_SECONDS", 5)
if READ_YOUR_WRITES_SECONDS < DATABASE_REPLICA_MAX_LAG or DATABASE_REPLICA_CHECK_SECONDS < 1:
    raise ImproperlyConfigured(
        "READ_YOUR_WRITES_SECONDS must be at least DATABASE_REPLICA_MAX_LAG, and "
        "DATABASE_REPLICA_CHECK_SECONDS at least 1"
    )
# The cache every app server shares (the verified-credential cache): this process's memory by
# default, Redis (django-redis) with CACHE_URL=redis://host:6379/0.
_cache_url = env_str("CACHE_URL", "") or ""
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "csm"),
            # Redis unreachable: a cache miss (a password is checked in full), never an error.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2, "IGNORE_EXCEPTIONS": True},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
elif _cache_url:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis://, rediss:// or unix:// URL, not {_cache_url!r}")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "csm"}}
# --- end of scale-out ----------------------------------------------------------------------------

# Prometheus metrics at /metrics (docs/operations.md, "Metrics"): off unless asked; the scraper
# sends METRICS_TOKEN as a bearer token. Requests are counted by django-prometheus's middleware
# (first and last), statements by its database backends (the same Django backends, instrumented).
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
METRICS_TOKEN = env_str("METRICS_TOKEN", "") or ""
if METRICS_ENABLED:
    if len(METRICS_TOKEN) < 16:
        raise ImproperlyConfigured("METRICS_ENABLED needs METRICS_TOKEN (16 characters or more) for the scraper.")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "csm_project.ops.metrics.MetricsMiddleware",
    ]
    _INSTRUMENTED = {
        "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
        "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
    }
    DATABASES["default"]["ENGINE"] = _INSTRUMENTED.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
    # Our requests take milliseconds: finer buckets at the bottom than django-prometheus's own.
    PROMETHEUS_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, float("inf"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 4}},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# STORAGES is set with the attachments' storage below. Static files are collected
# (collectstatic) as hashed, compressed copies, served by whitenoise with a year's cache
# (csm_project/ops/static_files.py). Until they are (a fresh clone, runserver, the tests), pages
# link to the plain names and whitenoise finds them in the apps' static folders; development
# re-reads them per request.
WHITENOISE_USE_FINDERS = not (STATIC_ROOT / "staticfiles.json").exists()
WHITENOISE_AUTOREFRESH = DEBUG

# A request line (method, path and query) longer than this is answered 414 in the envelope.
MAX_REQUEST_LINE = env_int("MAX_REQUEST_LINE", 16 * 1024)

# Request bodies larger than this are refused with the API's 400 envelope.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "csm_project.api.authentication.PlatformBasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["csm_project.api.permissions.HasRequiredRole"],
    "DEFAULT_RENDERER_CLASSES": ["csm_project.api.renderers.PlatformJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["csm_project.api.parsers.PlatformJSONParser"],
    "EXCEPTION_HANDLER": "csm_project.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": None,
    # OPTIONS is not a platform method: every endpoint answers it 405 in its family's envelope
    # (and a view's docstring never leaks into a metadata body).
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_SCHEMA_CLASS": "csm_project.api.openapi.PlatformAutoSchema",
}

# Login throttling: past this many failed logins (Basic, the admin's form) for one user name
# within the window (seconds), attempts for that name are refused until the window ends. 0 turns it off.
LOGIN_THROTTLE_FAILURES = env_int("LOGIN_THROTTLE_FAILURES", 10)
LOGIN_THROTTLE_WINDOW = env_int("LOGIN_THROTTLE_WINDOW", 300)
# The OpenAPI document at /api/schema/ and the explorer at /api/docs/ (docs/openapi.md).
SPECTACULAR_SETTINGS = {
    "TITLE": "CSM Platform API",
    "DESCRIPTION": "ServiceNow-compatible REST APIs of the CSM platform. Every endpoint takes HTTP Basic credentials.",
    "VERSION": "v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True, "tryItOutEnabled": True},
    "PREPROCESSING_HOOKS": ["csm_project.api.openapi.platform_endpoints"],
}
# Whether /api/schema/ and /api/docs/ answer without credentials (docs/openapi.md).
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", True)

# Realm announced in WWW-Authenticate on 401 answers.
API_AUTH_REALM = env_str("API_AUTH_REALM", "CSM Platform")

# Logs: one JSON object a line (timestamp, level, logger, message, request id) on stderr;
# LOG_FORMAT=text for plain lines in development.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "csm_project.ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "csm_project.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if env_str("LOG_FORMAT", "json") == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Lead API (docs/lead-api.md) ---------------------------------------------------------------
# The Lead API's processing steps are replaceable classes (defaults:
# ``leads.processing.processor.DEFAULT_CLASSES``): a deployment sets, say,
# LEAD_API = {"validator": "myco.leads.MyValidator"} to override one method of one of them.

# --- Batch API -------------------------------------------------------------------------------
# Items past any of these limits are not run (or their answer is not kept) and are listed in
# ``unserviced_requests`` (docs/aggregate-batch-attachment-api.md).
BATCH_API_MAX_ITEMS = env_int("BATCH_API_MAX_ITEMS", 1000)
BATCH_API_MAX_ITEM_BYTES = env_int("BATCH_API_MAX_ITEM_BYTES", 5 * 1024 * 1024)
BATCH_API_MAX_SECONDS = env_int("BATCH_API_MAX_SECONDS", 30)
# The answers a batch carries: in all, and one read's (a file download stops there).
BATCH_API_MAX_ANSWER_BYTES = env_int("BATCH_API_MAX_ANSWER_BYTES", 64 * 1024 * 1024)
BATCH_API_MAX_ITEM_ANSWER_BYTES = env_int("BATCH_API_MAX_ITEM_ANSWER_BYTES", 10 * 1024 * 1024)

# --- Attachments -----------------------------------------------------------------------------
# Content lives in the ``attachments`` storage: a folder by default (ATTACHMENT_ROOT), or any
# Django storage backend (e.g. an S3 bucket with django-storages, so several app servers share
# the files) named by ATTACHMENT_STORAGE_BACKEND with its options as JSON in
# ATTACHMENT_STORAGE_OPTIONS. ATTACHMENT_S3_BUCKET chooses the product's S3 store.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 1024 * 1024 * 1024)
# Bodies on their way in are spooled to files with no name on disk, in this folder (default the
# system's temporary folder): a worker killed mid-upload leaves nothing behind.
FILE_UPLOAD_TEMP_DIR = env_str("UPLOAD_TEMP_DIR")
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "csm_project.attachments.api.uploads.UnnamedTemporaryFileUploadHandler",
]
_attachment_backend = env_str("ATTACHMENT_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
_attachment_options = json.loads(env_str("ATTACHMENT_STORAGE_OPTIONS", "") or "{}")
if env_str("ATTACHMENT_S3_BUCKET"):
    # An S3-compatible object store, shared by every app server (docs/deployment.md).
    _attachment_backend = "csm_project.attachments.object_store.AttachmentObjectStore"
    _attachment_options = {
        "bucket_name": env_str("ATTACHMENT_S3_BUCKET"),
        "endpoint_url": env_str("ATTACHMENT_S3_ENDPOINT_URL"),
        "region_name": env_str("ATTACHMENT_S3_REGION"),
        "location": env_str("ATTACHMENT_S3_PREFIX", ""),
        **_attachment_options,
    }
if _attachment_backend == "django.core.files.storage.FileSystemStorage":
    _attachment_options.setdefault("location", env_str("ATTACHMENT_ROOT", str(BASE_DIR / "attachments")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "csm_project.ops.static_files.StaticFilesStorage"},
    "attachments": {"BACKEND": _attachment_backend, "OPTIONS": _attachment_options},
}
BATCH_API_MAX_BYTES = env_int("BATCH_API_MAX_BYTES", 64 * 1024 * 1024)

# --- Audit retention (docs/audit.md) ---------------------------------------------------------
# ``archive_audit`` moves audit rows older than this many days to a file in AUDIT_ARCHIVE_DIR;
# 0 keeps every row (the command then needs --before).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 0)
AUDIT_ARCHIVE_DIR = Path(env_str("AUDIT_ARCHIVE_DIR", str(BASE_DIR / "audit-archive")))

# The admin's import page (docs/admin.md, "Importing a file"): the largest file it takes, and how
# long an upload waits for its confirmation before it is deleted.
ADMIN_IMPORT_MAX_BYTES = env_int("ADMIN_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
ADMIN_IMPORT_KEEP_HOURS = env_int("ADMIN_IMPORT_KEEP_HOURS", 24)
