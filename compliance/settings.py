"""Docket settings: one module, every value from the environment (see .env.example).

Embedded default (nothing set): SQLite in ``var/`` and Celery on kombu's filesystem transport,
so a fresh machine needs no server. Production: set ``DATABASE_URL`` (PostgreSQL) and
``CELERY_BROKER_URL`` (Redis) and ``DJANGO_DEBUG=false``; same code.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("DOCKET_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# `make test` sets DOCKET_IGNORE_DOTENV so a developer's .env cannot move the suite off the embedded default.
if not env.bool("DOCKET_IGNORE_DOTENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# No secret in the repository: in development a fixed, obviously-unsafe key is used;
# with DEBUG off the key must come from the environment or the process refuses to start.
if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG=false Docket refuses to start without a secret "
            "key from the environment (never from the repository). Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(60))'"
        )

ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "compliance.apps.ComplianceConfig",
    "directives",
    "directives.sso",
]

MIDDLEWARE = [
    "compliance.middleware.RequestIdMiddleware",
    "compliance.middleware.HealthCheckMiddleware",
    # Before anything reads request.POST: a file named ".." is refused with a message, not dropped.
    "compliance.uploads.UploadNamesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "compliance.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: its process_view runs a writing view in a transaction, after every other check (CSRF first).
    "compliance.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "compliance.urls"
WSGI_APPLICATION = "compliance.wsgi.application"

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
                "directives.context_processors.roles",
                "directives.context_processors.reader",
                "directives.sso.context_processors.sign_in",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'docket.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# While the database is unavailable, requests answer 503 with Retry-After (seconds) instead of 500, and a
# request that writes runs in one transaction, so nothing is half-written
# (compliance.middleware.DatabaseUnavailableMiddleware).
DOCKET_RETRY_AFTER_SECONDS = env.int("DOCKET_RETRY_AFTER_SECONDS", default=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside the writer, and
    # IMMEDIATE transactions take the write lock up front instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's password check behind DOCKET_LOCAL_PASSWORDS / DOCKET_BREAK_GLASS_USERS (below).
    "directives.sso.backends.LocalPasswordBackend",
    # The identity provider's callback (OpenID Connect); inert while DOCKET_SSO_ENABLED is off.
    "directives.sso.backends.SignInBackend",
    # Permissions only: staff have the admin's permissions (docs/permissions.md).
    "compliance.auth.StaffAreAdministrators",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes: after AXES_FAILURE_LIMIT failed logins for one username, or from one client address, that
# username / address is locked out (HTTP 429) for AXES_COOLOFF_HOURS. Attempts are kept in the database,
# so the count is shared by every web process. The API token endpoint has its own DRF throttle.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
# The client address behind DOCKET_TRUSTED_PROXY_COUNT reverse proxies (X-Forwarded-For); without it every
# user behind the load balancer would share the proxy's address and one attacker could lock out everyone.
DOCKET_TRUSTED_PROXY_COUNT = env.int("DOCKET_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "compliance.middleware.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_LOCKOUT_CALLABLE = "compliance.middleware.lockout_response"
# The identity provider's callback carries no password: axes neither counts nor blocks it (the provider has
# its own lockout; refusals are in Docket's sign-in record).
AXES_WHITELIST_CALLABLE = "directives.sso.backends.is_sign_in_callback"

# --- Single sign-on: OpenID Connect (directives/sso/, docs/operations.md "Single sign-on") -----------
# Off unless DOCKET_SSO_ENABLED=true; the embedded default signs in with the demo users' passwords.
# Authorization code flow with PKCE (S256), state and nonce; endpoints and keys from the issuer's
# /.well-known/openid-configuration. `make check-deploy` fails when this block is half-filled.
DOCKET_SSO_ENABLED = env.bool("DOCKET_SSO_ENABLED", default=False)
# The issuer exactly as the provider writes it in its tokens (`iss`), e.g. https://example.okta.com.
DOCKET_SSO_ISSUER = env.str("DOCKET_SSO_ISSUER", default="")
DOCKET_SSO_CLIENT_ID = env.str("DOCKET_SSO_CLIENT_ID", default="")
DOCKET_SSO_CLIENT_SECRET = env.str("DOCKET_SSO_CLIENT_SECRET", default="")
DOCKET_SSO_SCOPES = env.str("DOCKET_SSO_SCOPES", default="openid email profile")
# The claim (in the ID token or the user information) that lists the person's groups, and which group
# gives which role: group=role,group=role, or a JSON object for group names with commas.
DOCKET_SSO_GROUPS_CLAIM = env.str("DOCKET_SSO_GROUPS_CLAIM", default="groups")
DOCKET_SSO_ROLE_MAP = env.str("DOCKET_SSO_ROLE_MAP", default="")
DOCKET_SSO_PROVIDER_NAME = env.str("DOCKET_SSO_PROVIDER_NAME", default="your company account")
DOCKET_SSO_SIGNING_ALGORITHM = env.str("DOCKET_SSO_SIGNING_ALGORITHM", default="RS256")
DOCKET_SSO_TIMEOUT_SECONDS = env.float("DOCKET_SSO_TIMEOUT_SECONDS", default=10.0)
# false: local passwords are refused everywhere (login page, admin, API token endpoint) except for the
# staff accounts named in DOCKET_BREAK_GLASS_USERS. API tokens keep working.
DOCKET_LOCAL_PASSWORDS = env.bool("DOCKET_LOCAL_PASSWORDS", default=True)
DOCKET_BREAK_GLASS_USERS: list[str] = env.list("DOCKET_BREAK_GLASS_USERS", default=[])
_sso_origin = "{0.scheme}://{0.netloc}".format(urlsplit(DOCKET_SSO_ISSUER)) if DOCKET_SSO_ISSUER else ""

# Sessions: at most SESSION_COOKIE_AGE seconds (8 h, a working day), and they end when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and Path=/.
    SESSION_COOKIE_NAME = "__Host-docket-session"

# --- I18N / time ----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The zone the company works in; authorities carry their own zone for legal times.
DOCKET_COMPANY_TIME_ZONE = env.str("DOCKET_COMPANY_TIME_ZONE", default="America/New_York")
# Where people reach Docket (scheme and host, no path): the links in e-mails and webhook messages are
# absolute URLs under it. Unset: the address `make run` serves (a deploy check warns in production).
DOCKET_BASE_URL = env.str("DOCKET_BASE_URL", default="")

# --- Static and uploaded files --------------------------------------------------------------
# Uploaded files live in MEDIA_ROOT (outside the checkout's static/ and STATIC_ROOT; a system check refuses
# an overlap) or, with DOCKET_FILE_STORAGE=s3, in a private bucket. Either way they are read only through
# directives/views/files.py after a permission check.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("DOCKET_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("DOCKET_MEDIA_ROOT", default=str(VAR_DIR / "evidence")))
# Evidence is never served by a static route: only the download view, after a permission check.
MEDIA_URL = "/evidence-files-are-not-public/"
# DOCKET_FILE_STORAGE: "filesystem" (default), "s3" (django-storages' S3Storage: AWS S3 or any S3-compatible
# store; needs boto3 installed and credentials in the usual AWS_* variables or an instance role), or a
# dotted class path.
_FILE_STORAGE_ALIASES = {
    "filesystem": "django.core.files.storage.FileSystemStorage",
    "s3": "storages.backends.s3.S3Storage",
}
DOCKET_FILE_STORAGE = env.str("DOCKET_FILE_STORAGE", default="filesystem")
_file_storage_backend = _FILE_STORAGE_ALIASES.get(DOCKET_FILE_STORAGE, DOCKET_FILE_STORAGE)
_file_storage_options: dict[str, object] = {}
if _file_storage_backend == _FILE_STORAGE_ALIASES["s3"]:
    _file_storage_options = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default=""),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "location": env.str("AWS_LOCATION", default="evidence"),
        "default_acl": None,  # private: the bucket's policy decides, never public-read
        "querystring_auth": True,  # if a URL is ever made, it is signed and expires
        "querystring_expire": 300,
        "file_overwrite": False,  # names are content hashes; never replace a stored file
        "object_parameters": {"ServerSideEncryption": "AES256"},
    }
STORAGES = {
    "default": {"BACKEND": _file_storage_backend, "OPTIONS": _file_storage_options},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
AWS_STORAGE_BUCKET_NAME = _file_storage_options.get("bucket_name", "")

DOCKET_MAX_UPLOAD_BYTES = env.int("DOCKET_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
DOCKET_ALLOWED_UPLOAD_TYPES = env.list(
    "DOCKET_ALLOWED_UPLOAD_TYPES",
    default=[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "text/plain",
        "text/csv",
        "application/json",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "message/rfc822",
        "application/vnd.ms-outlook",
    ],
)
# Request bodies other than files (forms, JSON) are capped; files above 2 MB spool to a temporary file and
# are checked (size, type, magic bytes, SHA-256) by directives.services.common.check_upload. The proxy in
# front should cap the whole body a little above DOCKET_MAX_UPLOAD_BYTES (docs/security.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The API's JSON parser (directives.api.parsers) refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE with 413
# and one nested deeper than this many arrays/objects with 400.
DOCKET_JSON_MAX_DEPTH = 32
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    # Stores at most DOCKET_MAX_UPLOAD_BYTES + 1 bytes of a file, so a huge upload cannot fill the disk.
    "compliance.uploads.BoundedTemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("out", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Countdowns stay short (see docs); the truth lives in the database, Redis is a doorbell.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600)
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Deliveries have their own queue so that a backlog of notifications never delays the next sweep; a
# worker started without -Q consumes both (kombu takes from the queues in turn).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue("notifications", routing_key="notifications"),
)
CELERY_TASK_ROUTES = {"directives.tasks.deliver_notification": {"queue": "notifications"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
DOCKET_SWEEP_INTERVAL_SECONDS = env.int("DOCKET_SWEEP_INTERVAL_SECONDS", default=60)
DOCKET_RELAY_INTERVAL_SECONDS = env.int("DOCKET_RELAY_INTERVAL_SECONDS", default=30)
DOCKET_NOTIFICATION_MAX_ATTEMPTS = env.int("DOCKET_NOTIFICATION_MAX_ATTEMPTS", default=6)
DOCKET_WEBHOOK_TIMEOUT_SECONDS = env.float("DOCKET_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
DOCKET_SWEEP_BATCH_SIZE = env.int("DOCKET_SWEEP_BATCH_SIZE", default=1000)
# Workers that share one sweep when more than a batch is due (the worker's --concurrency; 1: never).
DOCKET_SWEEP_SHARES = env.int("DOCKET_SWEEP_SHARES", default=2)
DOCKET_SWEEP_HISTORY_DAYS = env.int("DOCKET_SWEEP_HISTORY_DAYS", default=7)
# /healthz reports "stale" when the last completed sweep is older than this.
DOCKET_SWEEP_STALE_SECONDS = env.int("DOCKET_SWEEP_STALE_SECONDS", default=300)
# Outbox delivery: exponential backoff (base * 2**(attempt-1), capped), a send lease per attempt, and
# the relay re-dispatching a row whose broker message was lost after this long.
DOCKET_NOTIFICATION_BACKOFF_SECONDS = env.float("DOCKET_NOTIFICATION_BACKOFF_SECONDS", default=60.0)
DOCKET_NOTIFICATION_BACKOFF_MAX_SECONDS = env.float("DOCKET_NOTIFICATION_BACKOFF_MAX_SECONDS", default=3600.0)
DOCKET_NOTIFICATION_LEASE_SECONDS = env.float("DOCKET_NOTIFICATION_LEASE_SECONDS", default=60.0)
DOCKET_NOTIFICATION_REDISPATCH_SECONDS = env.float("DOCKET_NOTIFICATION_REDISPATCH_SECONDS", default=120.0)
DOCKET_RELAY_BATCH_SIZE = env.int("DOCKET_RELAY_BATCH_SIZE", default=500)
# Enforcement (docs/enforcement.md): access changes carried out through each product's control. Attempts
# back off like notifications; after DOCKET_ENFORCEMENT_MAX_ATTEMPTS the change is dead and escalated, and
# one not confirmed DOCKET_ENFORCEMENT_ESCALATE_BEFORE_SECONDS before the directive's next deadline is
# escalated then. Beat re-drives due changes and watches every control for drift on its interval.
DOCKET_ENFORCEMENT_MAX_ATTEMPTS = env.int("DOCKET_ENFORCEMENT_MAX_ATTEMPTS", default=8)
DOCKET_ENFORCEMENT_BACKOFF_SECONDS = env.float("DOCKET_ENFORCEMENT_BACKOFF_SECONDS", default=5.0)
DOCKET_ENFORCEMENT_BACKOFF_MAX_SECONDS = env.float("DOCKET_ENFORCEMENT_BACKOFF_MAX_SECONDS", default=300.0)
DOCKET_ENFORCEMENT_LEASE_SECONDS = env.float("DOCKET_ENFORCEMENT_LEASE_SECONDS", default=60.0)
DOCKET_ENFORCEMENT_INTERVAL_SECONDS = env.int("DOCKET_ENFORCEMENT_INTERVAL_SECONDS", default=10)
DOCKET_ENFORCEMENT_ESCALATE_BEFORE_SECONDS = env.int(
    "DOCKET_ENFORCEMENT_ESCALATE_BEFORE_SECONDS", default=3600
)
DOCKET_DRIFT_INTERVAL_SECONDS = env.int("DOCKET_DRIFT_INTERVAL_SECONDS", default=60)
# The secret signing enforcement webhooks (X-Docket-Signature); never stored in a control's target.
DOCKET_ENFORCEMENT_WEBHOOK_SECRET = env.str("DOCKET_ENFORCEMENT_WEBHOOK_SECRET", default="")
# Documents' text (PDF, Word, e-mail, plain text) is read for search by a beat job, a batch per run.
DOCKET_EXTRACTION_INTERVAL_SECONDS = env.int("DOCKET_EXTRACTION_INTERVAL_SECONDS", default=15)
DOCKET_EXTRACTION_BATCH_SIZE = env.int("DOCKET_EXTRACTION_BATCH_SIZE", default=20)
# The company's own receiving mail servers: an order's receipt instant is read from the Received: header
# one of them added (directives/mail.py); with none listed, from the sender's Date: header.
DOCKET_TRUSTED_MAIL_HOSTS = env.list("DOCKET_TRUSTED_MAIL_HOSTS", default=[])
# The watched intake mailbox (services/mailbox.py): beat polls it every DOCKET_INTAKE_IMAP_INTERVAL_SECONDS
# and queues each unseen message for legal; with no host it is off.
DOCKET_INTAKE_IMAP_HOST = env.str("DOCKET_INTAKE_IMAP_HOST", default="")
DOCKET_INTAKE_IMAP_PORT = env.int("DOCKET_INTAKE_IMAP_PORT", default=993)
DOCKET_INTAKE_IMAP_USER = env.str("DOCKET_INTAKE_IMAP_USER", default="")
DOCKET_INTAKE_IMAP_PASSWORD = env.str("DOCKET_INTAKE_IMAP_PASSWORD", default="")
DOCKET_INTAKE_IMAP_FOLDER = env.str("DOCKET_INTAKE_IMAP_FOLDER", default="INBOX")
DOCKET_INTAKE_IMAP_SSL = env.bool("DOCKET_INTAKE_IMAP_SSL", default=True)
DOCKET_INTAKE_IMAP_TIMEOUT_SECONDS = env.float("DOCKET_INTAKE_IMAP_TIMEOUT_SECONDS", default=30.0)
DOCKET_INTAKE_IMAP_INTERVAL_SECONDS = env.int("DOCKET_INTAKE_IMAP_INTERVAL_SECONDS", default=60)
DOCKET_INTAKE_IMAP_BATCH_SIZE = env.int("DOCKET_INTAKE_IMAP_BATCH_SIZE", default=200)

# The Unleash connector (directives/enforcement/unleash.py): the server's URL, an admin API token (writes the
# flags) and a frontend API token for the controls' environment (evaluates them). Empty URL: not configured.
UNLEASH_URL = env.str("UNLEASH_URL", default="")
UNLEASH_ADMIN_TOKEN = env.str("UNLEASH_ADMIN_TOKEN", default="")
UNLEASH_FRONTEND_TOKEN = env.str("UNLEASH_FRONTEND_TOKEN", default="")
UNLEASH_TIMEOUT_SECONDS = env.float("UNLEASH_TIMEOUT_SECONDS", default=5.0)
# How long applying waits for the frontend API to serve the change (it refreshes about every second).
UNLEASH_PROPAGATION_SECONDS = env.float("UNLEASH_PROPAGATION_SECONDS", default=10.0)

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "sent-email")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="docket@localhost")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email("EMAIL_URL"))

# --- Audit checkpoints ----------------------------------------------------------------------
# Kept outside the database so that someone who can rewrite every row cannot forge a checkpoint.
# Like the secret key: with DEBUG off it must come from the environment or the process refuses to start.
DOCKET_CHECKPOINT_KEY = env.str("DOCKET_CHECKPOINT_KEY", default="dev-only-checkpoint-key" if DEBUG else "")
if not DEBUG and not DOCKET_CHECKPOINT_KEY:
    raise ImproperlyConfigured(
        "DOCKET_CHECKPOINT_KEY is not set. With DJANGO_DEBUG=false Docket refuses to start without the key "
        "that signs timeline checkpoints, kept outside the database and its backups. Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    )
# Beat signs a checkpoint this often (0: never) and writes it to the "checkpoints" storage: a folder
# (DOCKET_CHECKPOINT_DIR, ideally a mount of another machine) or, with DOCKET_CHECKPOINT_STORAGE=s3, an
# S3-compatible bucket (DOCKET_CHECKPOINT_BUCKET, with the AWS_* endpoint, region and credentials), or a
# dotted storage class. ``verify_timeline --checkpoint latest`` reads the newest one from there.
DOCKET_CHECKPOINT_INTERVAL_SECONDS = env.int("DOCKET_CHECKPOINT_INTERVAL_SECONDS", default=3600)
DOCKET_CHECKPOINT_STORAGE = env.str("DOCKET_CHECKPOINT_STORAGE", default="filesystem")
_checkpoint_backend = _FILE_STORAGE_ALIASES.get(DOCKET_CHECKPOINT_STORAGE, DOCKET_CHECKPOINT_STORAGE)
_checkpoint_options: dict[str, object] = {
    "location": env.str("DOCKET_CHECKPOINT_DIR", default=str(VAR_DIR / "checkpoints")),
    "file_permissions_mode": 0o600,
    "directory_permissions_mode": 0o700,
}
if _checkpoint_backend == _FILE_STORAGE_ALIASES["s3"]:
    _checkpoint_options = {
        "bucket_name": env.str("DOCKET_CHECKPOINT_BUCKET", default=""),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "location": env.str("DOCKET_CHECKPOINT_PREFIX", default="timeline-checkpoints"),
        "default_acl": None,
        "file_overwrite": False,  # a checkpoint, once written, is never replaced
        "object_parameters": {"ServerSideEncryption": "AES256"},
    }
elif _checkpoint_backend != _FILE_STORAGE_ALIASES["filesystem"]:
    _checkpoint_options = {}
STORAGES["checkpoints"] = {"BACKEND": _checkpoint_backend, "OPTIONS": _checkpoint_options}

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an unauthenticated API request gets 401 with WWW-Authenticate, not a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "directives.api.schema.DocketAutoSchema",
    "EXCEPTION_HANDLER": "directives.api.exceptions.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": ["directives.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": [
        "directives.api.filters.FilterBackend",
        "directives.api.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "directives.api.pagination.DocketPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "directives.api.throttling.AnonRateThrottle",
        "directives.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="5000/min"),
        "token": env.str("API_THROTTLE_TOKEN", default="10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Docket API",
    "DESCRIPTION": "Regulatory directives, obligations, remediation tasks and the timeline. "
    "Authenticate with `Authorization: Token <token>` (POST /api/v1/auth/token/) or a session. "
    "Every date-time is ISO 8601 with a UTC offset; a naive one is refused with 400. "
    "Versioned writes carry `version` (or If-Match): a stale one gets 409 with the current state. "
    "Creating POSTs accept `Idempotency-Key`. Errors: {detail, code, field}.",
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "directives.api.schema.at_least_one_of",
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Served from the package (drf-spectacular-sidecar), not a CDN: the CSP allows only 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DirectiveStatusEnum": "directives.choices.DirectiveStatus",
        "TaskStatusEnum": "directives.choices.TaskStatus",
        "ObligationStatusEnum": "directives.choices.ObligationStatus",
        "AccessStateEnum": "directives.choices.AccessState",
        "EntryKindEnum": "directives.choices.EntryKind",
        "DirectiveKindEnum": "directives.choices.DirectiveKind",
        "LinkKindEnum": "directives.choices.LinkKind",
        "RecordableKindEnum": "directives.api.serializers.RECORDABLE_KIND_CHOICES",
        "TaskMoveEnum": "directives.api.serializers.TASK_MOVE_CHOICES",
        "WebhookEventEnum": "directives.models.notifications.WebhookEvent",
        "ConnectorKindEnum": "directives.choices.ConnectorKind",
    },
}

# --- Cache (throttling, axes) ---------------------------------------------------------------
# The default cache is a folder under var/, shared by every process of the machine (gunicorn's workers
# and their replacements after max_requests): throttle counts apply per user, not per worker, and the
# dashboard's snapshot is computed once for all of them. Several web hosts: CACHE_URL (Redis).
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
    if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # Fails open: while Redis is down the app runs as with no cache, never answers 500 for it.
        CACHES["default"]["BACKEND"] = "compliance.cache.FailOpenRedisCache"
else:
    CACHES = {
        "default": {
            # Django's file cache, culled every 10 s instead of listing the folder on every write
            # (compliance/cache.py: the API throttle writes on every request).
            "BACKEND": "compliance.cache.FileCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 10_000, "CULL_INTERVAL": 10},
        }
    }
# The executive dashboard's figures are a snapshot (docs/architecture.md, "Dashboard snapshot"): served
# while nothing changed and younger than MAX_AGE (overdue counts move with the clock); after a change,
# recomputed at most every MIN_REFRESH seconds, so a stream of writes cannot make every request recompute.
# It is kept in the cache above: shared by every process of the machine (or of every host, with Redis).
DOCKET_DASHBOARD_MAX_AGE_SECONDS = env.int("DOCKET_DASHBOARD_MAX_AGE_SECONDS", default=60)
DOCKET_DASHBOARD_MIN_REFRESH_SECONDS = env.int("DOCKET_DASHBOARD_MIN_REFRESH_SECONDS", default=10)
# The worker computes the snapshot ahead of the readers this often (0: never; the readers still do). Useful
# only where the worker shares the web's cache: the same machine's var/, or CACHE_URL.
DOCKET_DASHBOARD_REFRESH_SECONDS = env.int("DOCKET_DASHBOARD_REFRESH_SECONDS", default=10)

# --- Content Security Policy (django-csp 4) -------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Sign-out posts a form whose answer redirects to the provider's end-session endpoint.
        "form-action": ["'self'", *([_sso_origin] if _sso_origin else [])],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "worker-src": ["'none'"],
        "manifest-src": ["'self'"],
        **({} if DEBUG else {"upgrade-insecure-requests": True}),
    }
}

# --- Security (production) ------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /healthz is probed over plain HTTP by load balancers inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Logging: JSON lines with the request id ------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "compliance.middleware.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="json"),
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default "django" handlers (plain text on the console in DEBUG, mail_admins) are
        # replaced: everything goes through the root's JSON handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # At DEBUG urllib3 logs every request line with its path: a webhook's URL is its credential.
        "urllib3": {"level": "INFO"},
        "docket": {"level": LOG_LEVEL},
    },
}
