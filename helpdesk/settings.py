"""ClaimDesk settings: one module, driven by environment variables (README lists every one).

With nothing set, the project runs on an embedded default (SQLite and a filesystem Celery broker under
``var/``) so a newcomer needs no server. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to PostgreSQL and
Redis. Bad values stop start-up with a message naming the variable (see ``helpdesk.env``).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from helpdesk.env import env

BASE_DIR = Path(__file__).resolve().parent.parent
# The suite's defaults (fast password hashing, in-memory mail and broker, no HTTPS redirects, ...) are on only
# when the settings are loaded through helpdesk.settings_test, which pytest names (pyproject.toml,
# DJANGO_SETTINGS_MODULE) and nothing else does: manage.py, `make run`, Celery, gunicorn (wsgi/asgi) load
# this module directly and never see test mode, whatever else their process has imported.
TESTING = "helpdesk.settings_test" in sys.modules
VAR_DIR = Path(env.string("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.boolean("DEBUG", default=False)
# Offline tooling that never signs or serves anything may run in a bare checkout without a SECRET_KEY.
_OFFLINE_COMMANDS = {
    "makemigrations",
    "makemessages",
    "compilemessages",
    "compile_catalogues",
    "update_catalogues",
    "spectacular",
}
_OFFLINE = Path(sys.argv[0]).name == "manage.py" and len(sys.argv) > 1 and sys.argv[1] in _OFFLINE_COMMANDS
if (_OFFLINE and not env.is_set("SECRET_KEY")) or DEBUG or TESTING:
    SECRET_KEY = env.string("SECRET_KEY", "insecure-development-key-never-use-in-production-0123456789")
else:
    SECRET_KEY = env.required_string("SECRET_KEY", "set a long random value (DEBUG is off)")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("Environment variable SECRET_KEY: expected at least 50 random characters.")

ALLOWED_HOSTS = env.strings("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.strings("CSRF_TRUSTED_ORIGINS")
SITE_URL = env.url("SITE_URL", "http://127.0.0.1:8000", ("http", "https")).rstrip("/")

INSTALLED_APPS = [
    "helpdesk",
    "contacts",
    "tickets",
    "integrations",
    "insights",
    "helpcentre",
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "helpdesk.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helpdesk.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpdesk.middleware.HostileInputMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "helpdesk.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "helpdesk.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, the policy built once
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"
ASGI_APPLICATION = "helpdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "helpdesk.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------
# TEST_DATABASE_URL lets a developer point the suite at a different server than `make run` uses.
_database_url = env.string("TEST_DATABASE_URL") if TESTING and env.is_set("TEST_DATABASE_URL") else ""
_database_url = _database_url or env.string("DATABASE_URL")
if _database_url:
    if not _database_url.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfigured(
            "Environment variable DATABASE_URL: expected a postgres:// or sqlite:// URL, "
            f"got a URL with scheme {_database_url.split(':', 1)[0]!r}."
        )
    try:
        _db = dj_database_url.parse(_database_url)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable DATABASE_URL: {exc}") from None
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default must work on a fresh clone
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "db.sqlite3")}

if _db["ENGINE"] == "django.db.backends.postgresql":
    if env.boolean("DB_POOL", default=False):
        # psycopg's pool and persistent connections are mutually exclusive in Django.
        _db["OPTIONS"] = {"pool": {"min_size": 2, "max_size": env.integer("DB_POOL_MAX", 10, minimum=2)}}
        _db["CONN_MAX_AGE"] = 0
    else:
        _db["CONN_MAX_AGE"] = env.integer("DB_CONN_MAX_AGE", 600, minimum=0)
        _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("TEST", {})["NAME"] = env.string("TEST_DATABASE_NAME") or None
else:
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DATABASES = {"default": _db}
DATABASE_IS_POSTGRES = _db["ENGINE"] == "django.db.backends.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------------
_redis_cache_url = env.url("CACHE_URL", "", ("redis", "rediss")) if env.is_set("CACHE_URL") else ""
CACHES = {
    "default": (
        {"BACKEND": "helpdesk.cache.RedisCache", "LOCATION": _redis_cache_url}  # one client per pool
        if _redis_cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "claimdesk"}
    )
}

# --- People -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "helpdesk.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "helpdesk.backends.EmailOrPhoneBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "landing"  # helpdesk.views.landing: staff to their work, customers to their claims
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Staff (agents, supervisors, directory admins) must pass a TOTP second factor. Turn off only for demos.
STAFF_2FA_REQUIRED = env.boolean("STAFF_2FA_REQUIRED", default=True)
OTP_TOTP_ISSUER = "ClaimDesk"

# django-axes: lock an (address, account) pair after repeated failures, without locking the account for
# everyone. The address is the real client's (helpdesk.middleware.client_ip honours TRUSTED_PROXY_COUNT);
# the "username" is the account the name resolves to, so every spelling of an e-mail or phone number
# shares one failure budget (helpdesk.auth.axes_username).
AXES_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env.duration("LOGIN_LOCKOUT", timedelta(minutes=15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "helpdesk.auth.lockout_response"
AXES_USERNAME_CALLABLE = "helpdesk.auth.axes_username"
AXES_CLIENT_IP_CALLABLE = "helpdesk.middleware.client_ip"
# How many reverse proxies in front of us append to X-Forwarded-For; 0 trusts only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

# API tokens (helpdesk/api_tokens.py) stop working this long after they are issued.
API_TOKEN_TTL = env.duration("API_TOKEN_TTL", timedelta(days=30))
if timedelta(minutes=1) > API_TOKEN_TTL:
    raise ImproperlyConfigured("Environment variable API_TOKEN_TTL: expected at least 1 minute.")

# Registration, password reset and SMS codes: at most this many per client address and per target
# (e-mail address or phone number), counted in the cache (helpdesk/ratelimit.py).
ACCOUNT_RATE_PER_ADDRESS = env.rate("ACCOUNT_RATE_PER_ADDRESS", "20/hour")
ACCOUNT_RATE_PER_TARGET = env.rate("ACCOUNT_RATE_PER_TARGET", "5/hour")
# A new account is activated by a link e-mailed to its address, valid this long (and once).
ACCOUNT_ACTIVATION_TTL = env.duration("ACCOUNT_ACTIVATION_TTL", timedelta(hours=24))
if timedelta(minutes=5) > ACCOUNT_ACTIVATION_TTL:
    raise ImproperlyConfigured("Environment variable ACCOUNT_ACTIVATION_TTL: expected at least 5 minutes.")
# An SMS code to verify a phone number is valid this long and for this many tries.
PHONE_CODE_TTL = env.duration("PHONE_CODE_TTL", timedelta(minutes=10))
PHONE_CODE_MAX_TRIES = env.integer("PHONE_CODE_MAX_TRIES", 5, minimum=1, maximum=20)

# --- Languages and time -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "claimdesk_language"
LANGUAGE_COOKIE_SECURE = not DEBUG and not TESTING
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.string("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
# Media (claim evidence) lives outside the web root and has no URL: only permission-checked views serve it.
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(VAR_DIR / "media")))
# No route serves this prefix; it exists because Django's test live server expects a string here.
MEDIA_URL = "/_media-not-served/"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None, "file_permissions_mode": 0o600},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "helpdesk.storage.StaticStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = env.integer("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
# Uploaded evidence (claims, directory): see helpdesk/uploads.py.
EVIDENCE_MAX_BYTES = env.integer("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
EVIDENCE_MAX_FILES = env.integer("EVIDENCE_MAX_FILES", 10, minimum=1, maximum=50)
# Claim drafts (tickets/claims/drafts.py): files a visitor parks before filing are purged after DRAFT_TTL;
# per hour, a browser session and a client network may park only so many files and bytes.
DRAFT_TTL = env.duration("DRAFT_TTL", timedelta(hours=2))
DRAFT_QUOTA_FILES = env.integer("DRAFT_QUOTA_FILES", 10, minimum=0)
DRAFT_QUOTA_BYTES = env.integer("DRAFT_QUOTA_BYTES", 20 * 1024 * 1024, minimum=0)
DRAFT_NETWORK_QUOTA_FILES = env.integer("DRAFT_NETWORK_QUOTA_FILES", 30, minimum=0)
DRAFT_NETWORK_QUOTA_BYTES = env.integer("DRAFT_NETWORK_QUOTA_BYTES", 60 * 1024 * 1024, minimum=0)
# Images above this many pixels are refused before decoding (decompression bombs); 40 MP fits any phone.
UPLOAD_MAX_IMAGE_PIXELS = env.integer("UPLOAD_MAX_IMAGE_PIXELS", 40_000_000, minimum=1_000_000)
# Uploads above this size go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Security ---------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.boolean("BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", default=not DEBUG and not TESTING)
# Load balancers probe over plain HTTP on the private side: health checks are never redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 0 if DEBUG or TESTING else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env.duration("SESSION_AGE", timedelta(days=14)).total_seconds())
# With a shared cache (Redis) a request reads its session from the cache, not the database: one query fewer
# on every signed-in request (the database's load under a wave; the Python cost is about the same). Writes
# go to both, so the database stays the record. A process-local cache must not hold sessions: a sign-out in
# one worker would leave the session alive in the others' memory.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if _redis_cache_url else "db")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "helpdesk.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
if SECURE_HSTS_PRELOAD and not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    raise ImproperlyConfigured("SECURE_HSTS_PRELOAD needs SECURE_HSTS_SECONDS > 0.")

# django-csp 4: no inline scripts anywhere; htmx is configured not to inject its indicator styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Email ------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.string(
    "EMAIL_BACKEND",
    "django.core.mail.backends.locmem.EmailBackend"
    if TESTING
    else "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env.string("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file-based backend
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "ClaimDesk <noreply@claimdesk.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------------------
# Without CELERY_BROKER_URL: kombu's filesystem transport under var/, so `make run` needs no Redis.
_default_broker = "memory://" if TESTING else "filesystem://"
CELERY_BROKER_URL = env.url(
    "CELERY_BROKER_URL", _default_broker, ("redis", "rediss", "filesystem", "memory", "amqp")
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "store_processed": False,
        # kombu's exchange table; its default is ./control, which would litter the working tree.
        "control_folder": str(VAR_DIR / "broker-control"),
    }
else:
    # An unacknowledged task (its worker died) is handed out again after this long. Longer than any task
    # runs and any countdown we use: long delays (webhook retries, SLA due times) live in the database.
    _visibility = int(env.duration("CELERY_VISIBILITY_TIMEOUT", timedelta(hours=1)).total_seconds())
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        # kombu scans for such tasks every interval x throttle seconds (100 s by default) under a mutex that
        # a killed worker may leave held until it expires; keep both in step with a short timeout.
        "unacked_restore_interval": min(10, max(1, _visibility // 3)),
        "unacked_restore_throttle": 10 if _visibility >= 600 else 1,
        "unacked_mutex_expire": min(300, max(5, _visibility)),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Outbox (helpdesk/outbox.py): kick the relay after each commit (tests call relay() themselves);
# give up on a message after N attempts.
OUTBOX_KICK_ON_COMMIT = env.boolean("OUTBOX_KICK_ON_COMMIT", not TESTING)
OUTBOX_MAX_ATTEMPTS = env.integer("OUTBOX_MAX_ATTEMPTS", 8, minimum=1, maximum=50)
OUTBOX_KICK_MIN_INTERVAL = env.duration("OUTBOX_KICK_MIN_INTERVAL", timedelta(seconds=1))
# How long a relay run holds a leased message; longer than CELERY_TASK_TIME_LIMIT (a run cannot outlive
# it), so a live run is never overtaken and a dead run's message comes back after this.
OUTBOX_LEASE = env.duration("OUTBOX_LEASE", timedelta(minutes=2))
# Retention (helpdesk/retention.py, beat task helpdesk.prune): dispatched outbox rows, finished webhook
# deliveries (delivered or given up); Idempotency-Key records go after IDEMPOTENCY_KEY_TTL.
OUTBOX_RETENTION = env.duration("OUTBOX_RETENTION", timedelta(days=14))
WEBHOOK_DELIVERY_RETENTION = env.duration("WEBHOOK_DELIVERY_RETENTION", timedelta(days=30))
# Personal data (insights/privacy.py; run by helpdesk.prune): a closed claim's personal fields and evidence
# are erased this long after it closed, scam-report screenshots this long after the report.
RETENTION_CLOSED_CLAIMS = env.duration("RETENTION_CLOSED_CLAIMS", timedelta(days=3 * 365))
RETENTION_SCAM_REPORTS = env.duration("RETENTION_SCAM_REPORTS", timedelta(days=365))
# Account deletion waits this long (cancellable), a data export's link lives this long.
ACCOUNT_DELETION_COOLING_OFF = env.duration("ACCOUNT_DELETION_COOLING_OFF", timedelta(days=7))
DATA_EXPORT_TTL = env.duration("DATA_EXPORT_TTL", timedelta(hours=24))
# A public scorecard figure is shown only where at least this many claims back it.
SCORECARD_MIN_CLAIMS = env.integer("SCORECARD_MIN_CLAIMS", 20, minimum=1)
PRUNE_BATCH_SIZE = env.integer("PRUNE_BATCH_SIZE", 1000, minimum=1, maximum=100_000)
# Idempotency-Key records are kept this long (helpdesk/api/idempotency.py).
IDEMPOTENCY_KEY_TTL = env.duration("IDEMPOTENCY_KEY_TTL", timedelta(hours=24))
# Webhooks to platforms (helpdesk/webhooks.py).
WEBHOOK_TIMEOUT = env.duration("WEBHOOK_TIMEOUT", timedelta(seconds=10))
WEBHOOK_SECRET_OVERLAP = env.duration("WEBHOOK_SECRET_OVERLAP", timedelta(hours=24))
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "heartbeat": {"task": "helpdesk.heartbeat", "schedule": 30.0, "kwargs": {"name": "beat"}},
    "outbox-relay": {"task": "helpdesk.outbox_relay", "schedule": 10.0},
    "contacts-review-overdue": {"task": "contacts.sweep_review_overdue", "schedule": 300.0},
    "prune": {"task": "helpdesk.prune", "schedule": 3600.0},
    "webhooks-deliver": {"task": "helpdesk.webhooks_deliver", "schedule": 10.0},
    "sla-sweep": {"task": "tickets.sla_sweep", "schedule": 60.0},
    "claim-tally-compact": {"task": "tickets.claim_tally_compact", "schedule": 60.0},
    "claim-tally-recount": {"task": "tickets.claim_tally_recount", "schedule": 86400.0},
    "callbacks-overdue": {"task": "tickets.callbacks_overdue", "schedule": 30.0},
    "claims-purge-draft-files": {"task": "tickets.purge_draft_files", "schedule": 900.0},
    "integrations-match-events": {"task": "integrations.match_events", "schedule": 10.0},
    # Yesterday's and today's roll-up rows and the platform scorecards (insights/rollup.py).
    "insights-rollup": {"task": "insights.rollup", "schedule": 900.0},
    "insights-deletions": {"task": "insights.run_due_deletions", "schedule": 3600.0},
}

# --- API --------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpdesk.api.authentication.ApiTokenAuthentication",
        "helpdesk.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "helpdesk.api.throttling.WindowThrottle",  # anon, user and the view's scope: one round trip
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.rate_string("API_THROTTLE_ANON", "60/min"),
        "user": env.rate_string("API_THROTTLE_USER", "600/min"),
        "auth": env.rate_string("API_THROTTLE_AUTH", "10/min"),
        "claims": env.rate_string("API_THROTTLE_CLAIMS", "30/hour"),
        "checker": env.rate_string("API_THROTTLE_CHECKER", "120/min"),
        "platform": env.rate_string("API_THROTTLE_PLATFORM", "120/min"),
        "platform_events": env.rate_string("API_THROTTLE_PLATFORM_EVENTS", "1200/min"),
    },
    "DEFAULT_PARSER_CLASSES": [
        "helpdesk.api.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "helpdesk.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ClaimDesk API",
    "DESCRIPTION": (
        "Official contact channels of card platforms, the number checker, and claim tickets. "
        'Errors always have the shape {"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the error envelope for each error status it can answer (helpdesk/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "helpdesk.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "HoursModeEnum": "contacts.models.HoursMode",
        "ProposalStatusEnum": "contacts.models.ProposalStatus",
        "DomainProposalKindEnum": "contacts.models.DomainProposalKind",
        "KindEnum": "contacts.models.ChannelKind",  # the channel kind keeps its name next to the above
        "PlatformStatusEnum": "contacts.models.PlatformStatus",
        "ClaimStatusEnum": "tickets.models.ClaimStatus",
        "PlatformEventTypeEnum": "integrations.models.EventType",
    },
}

# --- Logging ----------------------------------------------------------------------------------------
LOG_LEVEL = env.choice("LOG_LEVEL", ["DEBUG", "INFO", "WARNING", "ERROR"], "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "helpdesk.logging.RedactFilter"},
        "throttled": {"()": "helpdesk.logging.DropThrottledFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["throttled"]},
    },
}

# --- Outbound: SMS and webhooks ---------------------------------------------------------------------
SMS_BACKEND = env.choice(
    "SMS_BACKEND",
    ["helpdesk.sms.LoggingBackend", "helpdesk.sms.HttpGatewayBackend"],
    "helpdesk.sms.LoggingBackend",
)
SMS_GATEWAY_URL = env.url("SMS_GATEWAY_URL", "", ("https", "http")) if env.is_set("SMS_GATEWAY_URL") else ""
SMS_GATEWAY_SECRET = env.string("SMS_GATEWAY_SECRET")
if SMS_BACKEND.endswith("HttpGatewayBackend") and not (SMS_GATEWAY_URL and SMS_GATEWAY_SECRET):
    raise ImproperlyConfigured("SMS_BACKEND=HttpGatewayBackend needs SMS_GATEWAY_URL and SMS_GATEWAY_SECRET.")
# Networks outbound requests (webhooks, SMS gateway) may reach even though they are not public.
OUTBOUND_ALLOWED_NETWORKS = env.strings("OUTBOUND_ALLOWED_NETWORKS")

# --- Product settings -------------------------------------------------------------------------------
DEMO_MODE = env.boolean("DEMO_MODE", default=False)

# --- Directory (contacts) ---------------------------------------------------------------------------
# How long a verified channel stays verified before a directory admin must review it again.
CONTACT_REVIEW_INTERVAL = env.duration("CONTACT_REVIEW_INTERVAL", timedelta(days=180))
# The checker says "reported" when an admin confirmed a report, or this many distinct people reported a
# value within the window. Reports per person (signed in: per account; else per address) are rate-limited;
# the report form must be open at least SCAM_REPORT_MIN_FILL_SECONDS (a bot check without services).
SCAM_REPORT_THRESHOLD = env.integer("SCAM_REPORT_THRESHOLD", 3, minimum=1)
SCAM_REPORT_WINDOW = env.duration("SCAM_REPORT_WINDOW", timedelta(days=90))
SCAM_REPORT_RATE = env.rate("SCAM_REPORT_RATE", "10/hour")
SCAM_REPORT_MIN_FILL_SECONDS = env.integer("SCAM_REPORT_MIN_FILL_SECONDS", 0 if TESTING else 3, minimum=0)
# Anonymous reads of the public pages and the checker (contacts.http_cache): a shared cache (proxy, CDN)
# may keep them this many seconds, and serve them this much longer while it revalidates with the ETag.
PUBLIC_CACHE_MAX_AGE = env.integer("PUBLIC_CACHE_MAX_AGE", 10, minimum=0, maximum=3600)
PUBLIC_CACHE_STALE = env.integer("PUBLIC_CACHE_STALE", 30, minimum=0, maximum=86400)
# Checker answers are kept in Django's cache this long at most (keyed by the directory version, so a
# change never leaves one behind; a counted report leaving the window ends its answer's life earlier).
CHECKER_CACHE_TTL = env.duration("CHECKER_CACHE_TTL", timedelta(minutes=10))
# How long a process keeps the directory version it read (contacts.versioning): other processes see a
# change at most this long after it commits; the process that made it, at once. At most one second.
DIRECTORY_VERSION_TTL = min(env.duration("DIRECTORY_VERSION_TTL", timedelta(seconds=1)), timedelta(seconds=1))

# --- Claims (tickets) -------------------------------------------------------------------------------
# A resolved claim can be reopened by its customer for this long.
CLAIM_REOPEN_WINDOW = env.duration("CLAIM_REOPEN_WINDOW", timedelta(days=7))
# Claims of at least this amount (CNY) are "high value": senior team, proactive call-back.
CLAIM_HIGH_VALUE_AMOUNT = Decimal(env.integer("CLAIM_HIGH_VALUE_AMOUNT", 500, minimum=1))
# When a platform publishes no resolution promise, the 12315 next-step panel appears after this long.
CLAIM_ESCALATION_AFTER = env.duration("CLAIM_ESCALATION_AFTER", timedelta(days=7))
# Seconds each process keeps platforms, problem types and claim rules for the filing path (0: off).
CLAIM_REFERENCE_DATA_TTL = env.integer("CLAIM_REFERENCE_DATA_TTL", 0 if TESTING else 60, minimum=0)
# SLA and call-backs (tickets/sla/, tickets/callbacks/).
CALLBACK_DEFAULT_WITHIN = env.duration("CALLBACK_DEFAULT_WITHIN", timedelta(minutes=30))
CALLBACK_MAX_ATTEMPTS = env.integer("CALLBACK_MAX_ATTEMPTS", 3, minimum=1, maximum=10)
CALLBACK_RETRY_AFTER = env.duration("CALLBACK_RETRY_AFTER", timedelta(minutes=30))

# --- Platform integration (integrations) ------------------------------------------------------------
# The third failed top-up of a customer within this window (no success in between) makes ClaimDesk reach
# out first, once per customer and window.
OUTREACH_FAILED_TOPUPS_WINDOW = env.duration("OUTREACH_FAILED_TOPUPS_WINDOW", timedelta(minutes=60))
# A merchant whose claims per delivered order over 30 days reach this rate (with at least
# MERCHANT_MIN_DELIVERED delivered orders) is "high complaint": triage and the supervisors' list.
try:
    MERCHANT_COMPLAINT_RATE = Decimal(env.string("MERCHANT_COMPLAINT_RATE", "0.05"))
except ArithmeticError:
    raise ImproperlyConfigured(
        "Environment variable MERCHANT_COMPLAINT_RATE: expected a rate like 0.05."
    ) from None
if not Decimal(0) < MERCHANT_COMPLAINT_RATE <= Decimal(1):
    raise ImproperlyConfigured(
        "Environment variable MERCHANT_COMPLAINT_RATE: expected a rate between 0 and 1."
    )
MERCHANT_MIN_DELIVERED = env.integer("MERCHANT_MIN_DELIVERED", 20, minimum=1)
# Matched platform events are kept this long (their facts live on in order facts and outreaches); it must
# cover the outreach window.
PLATFORM_EVENT_RETENTION = env.duration("PLATFORM_EVENT_RETENTION", timedelta(days=90))
if PLATFORM_EVENT_RETENTION < OUTREACH_FAILED_TOPUPS_WINDOW:
    raise ImproperlyConfigured("PLATFORM_EVENT_RETENTION must be at least OUTREACH_FAILED_TOPUPS_WINDOW.")
