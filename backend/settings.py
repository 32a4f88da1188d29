"""Jalon settings: the only place that reads the environment.

With no environment variable set, the project runs on the *embedded default*: SQLite,
files and a Celery broker under ``var/``, so a fresh clone works with no server at all.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis; ``DJANGO_ENV=production``
turns on the deployment hardening and makes the secrets mandatory. Every variable is
listed in README.md ("Configuration").
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .languages import RIGHT_TO_LEFT
from .languages import register as register_languages

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _env_or_file(name: str) -> str | None:
    """The secret ``name``: its variable, or the content of the file ``name_FILE`` names.

    Docker's and Kubernetes' secrets are files: ``SECRET_KEY_FILE=/run/secrets/secret-key``
    keeps the secret out of the environment (``docker inspect``, ``/proc/*/environ``). One
    final newline is dropped. Setting both is refused: nobody should wonder which one won.
    An empty variable counts as unset; ``None`` when neither is set.
    """
    path = os.environ.get(f"{name}_FILE", "")
    value = os.environ.get(name, "")
    if path and value:
        raise environ.ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if not path:
        return value or None
    try:
        content = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise environ.ImproperlyConfigured(
            f"{name}_FILE: cannot read {path} ({error.strerror})."
        ) from None
    return content.removesuffix("\n").removesuffix("\r")


DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise environ.ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

# Runtime state of the embedded default (database, uploaded files, broker queue, cache).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

_DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105

if PRODUCTION:
    # No default on purpose: production refuses to start without its own secret. What
    # check --deploy only warns of is refused here: nobody deploys a warning by mistake.
    SECRET_KEY = _env_or_file("SECRET_KEY") or ""
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
        or _DEVELOPMENT_SECRET_KEY in SECRET_KEY
    ):
        raise environ.ImproperlyConfigured(
            "SECRET_KEY must be at least 50 random characters of your own in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    DEBUG = env.bool("DEBUG", default=False)
    if DEBUG:
        raise environ.ImproperlyConfigured(
            "DEBUG cannot be on in production: its error pages show settings and data."
        )
    ALLOWED_HOSTS = [host.strip() for host in env.list("ALLOWED_HOSTS") if host.strip()]
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise environ.ImproperlyConfigured(
            "ALLOWED_HOSTS must name the site's host names in production, without '*'."
        )
else:
    SECRET_KEY = _env_or_file("SECRET_KEY") or _DEVELOPMENT_SECRET_KEY
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The reverse proxies (addresses or CIDR networks) whose X-Forwarded-For and
# X-Forwarded-Proto are believed; from any other peer they are dropped, so a client that
# reaches gunicorn directly cannot choose the address rate limits and throttles key on.
# backend/middleware.py puts the resolved client address in REMOTE_ADDR, which allauth
# and DRF then read alone (their own proxy counts stay at 0).
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])
if "TRUSTED_PROXY_COUNT" in env:
    raise environ.ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT is gone: list the proxies' addresses in TRUSTED_PROXY_IPS "
        "(a count trusts whoever talks to gunicorn directly)."
    )
for _proxy in TRUSTED_PROXY_IPS:
    try:
        _proxy_network = ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _error:
        raise environ.ImproperlyConfigured(f"TRUSTED_PROXY_IPS: {_error}") from None
    if _proxy_network.prefixlen == 0:
        raise environ.ImproperlyConfigured("TRUSTED_PROXY_IPS cannot trust every address.")
ALLAUTH_TRUSTED_PROXY_COUNT = 0

INSTALLED_APPS = [
    "backend.apps.JalonAdminConfig",  # django.contrib.admin, with the figures
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "allauth.mfa",
    "accounts",
    "services_catalog",
    "vault",
    "mentoring",
    "referents",
    "autonomy",
    "figures",  # above every app it counts (the layers in the README)
]
if not PRODUCTION:
    INSTALLED_APPS.append("demo")  # demo data and ``load_demo``: public password, never deployed

MIDDLEWARE = [
    # First: every log line of the request, even the proxy middleware's, carries its id.
    "backend.observability.RequestIdMiddleware",
    "backend.metrics.MetricsMiddleware",  # counts nothing unless METRICS_ENABLED
    "backend.middleware.TrustedProxyMiddleware",  # every later layer sees the real client
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "backend.languages.DariAcceptLanguageMiddleware",  # "fa-AF" phones ask for Dari
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.StaffMfaRequiredMiddleware",
]

if PRODUCTION:
    # Gunicorn serves the admin's and the API docs' static files itself.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
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

# --- Database -------------------------------------------------------------------------
_DATABASE_URL = _env_or_file("DATABASE_URL")
if PRODUCTION and not _DATABASE_URL:
    # The embedded SQLite file would live and die with one container.
    raise environ.ImproperlyConfigured("DATABASE_URL is required in production (PostgreSQL).")
if not _DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url_config(_DATABASE_URL or f"sqlite:///{VAR_DIR / 'jalon.sqlite3'}"),
}
# The password apart from the URL (DATABASE_PASSWORD_FILE: a secret), any character allowed.
_DATABASE_PASSWORD = _env_or_file("DATABASE_PASSWORD")
if _DATABASE_PASSWORD:
    DATABASES["default"]["PASSWORD"] = _DATABASE_PASSWORD
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves the web process and the worker at once: write-ahead
    # logging lets readers and a writer work together, IMMEDIATE transactions queue
    # writers instead of failing with "database is locked", and NORMAL syncs at
    # checkpoints instead of at every commit (safe against a crash of the process).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, broker -------------------------------------------------------------
REDIS_URL = _env_or_file("REDIS_URL") or ""
if PRODUCTION and not REDIS_URL:
    # The filesystem broker and file cache hold for one machine only: tasks and rate
    # limits would silently split between containers.
    raise environ.ImproperlyConfigured("REDIS_URL is required in production (Redis).")


def _next_redis_database(url: str) -> str:
    """``redis://host:6379/1`` -> ``redis://host:6379/2``."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{database + 1}"))


if REDIS_URL:
    # The cache lives in its own database: clearing it (or evicting keys under memory
    # pressure) must never drop queued tasks.
    REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=_next_redis_database(REDIS_URL))
    CACHES = {
        "default": {
            "BACKEND": "backend.cache.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "jalon",
        }
    }
else:
    # A file cache is shared by every process of the machine (web, worker), so rate
    # limits and throttles hold across processes even without Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery ---------------------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    # kombu's filesystem transport: queued and periodic tasks run with no server at all.
    _celery_dir = VAR_DIR / "celery"
    for _folder in ("queue", "processed", "results", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_celery_dir / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{_celery_dir / 'results'}"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Paris"
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=60.0)
# Beat touches "<schedule file>.heartbeat" at every tick, and wakes at least once a minute:
# its health check (python -m backend.beat) fails when that file grows stale.
CELERY_BEAT_SCHEDULER = "backend.beat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 60
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "backend.tasks.record_worker_heartbeat",
        "schedule": WORKER_HEARTBEAT_SECONDS,
    },
    "archive-expired-catalogue-entries": {
        "task": "services_catalog.tasks.archive_expired_entries",
        "schedule": timedelta(hours=1),
    },
    "touch-newly-valid-catalogue-entries": {
        "task": "services_catalog.tasks.touch_newly_valid_entries",
        "schedule": timedelta(hours=1),
    },
    "touch-catalogue-closure-notices": {
        "task": "services_catalog.tasks.touch_closure_notices",
        "schedule": timedelta(hours=1),
    },
    "clean-up-pending-vault-blobs": {
        "task": "vault.tasks.clean_up_pending_blobs",
        "schedule": timedelta(minutes=30),
    },
    "dispatch-due-reminders": {
        "task": "mentoring.tasks.dispatch_due_reminders",
        # How often due reminders are looked for: the latest a reminder can be.
        "schedule": env.float("REMINDERS_DISPATCH_SECONDS", default=30.0),
    },
    # The figures of a month are kept once it is over; computing them at night spares
    # the first officer who opens the dashboard the wait.
    "archive-last-month-figures": {
        "task": "figures.tasks.archive_last_month_figures",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
    "purge-expired-sessions": {
        "task": "accounts.tasks.purge_expired_sessions",
        "schedule": timedelta(hours=6),
    },
}
# --- Safety reports after an erasure --------------------------------------------------------
# When a member of a match erases their account, a safety report on the match, the messages
# it covers and the other member's side are kept this many days (from the erasure, and
# from the report's resolution; an open report keeps them), detached from the erased
# person, then purged every night. One year: the time to evaluate an "information
# préoccupante" and for the authorities a report went to to ask for the messages (see the
# README's threat model for the legal basis).
SAFETY_REPORT_RETENTION_DAYS = env.int("SAFETY_REPORT_RETENTION_DAYS", default=365)
CELERY_BEAT_SCHEDULE["purge-expired-safety-material"] = {
    "task": "mentoring.tasks.purge_expired_safety_material",
    "schedule": crontab(minute=15, hour=3),
}

# Référents: how long an invitation to the professional space (its enrolment code) and a
# code to link a young person last, in days. Links past their end date are written down
# as ended every night (reads already hide them).
REFERENT_INVITATION_DAYS = env.int("REFERENT_INVITATION_DAYS", default=7)
REFERENT_LINK_CODE_DAYS = env.int("REFERENT_LINK_CODE_DAYS", default=7)
CELERY_BEAT_SCHEDULE["end-referent-links-past-end-date"] = {
    "task": "referents.tasks.end_links_past_end_date",
    "schedule": crontab(minute=5, hour=0),
}
CELERY_BEAT_SCHEDULE["ask-adult-confirmation-of-referent-links"] = {
    "task": "referents.tasks.ask_adult_confirmation",
    "schedule": crontab(minute=0, hour=9),  # in the morning, not at midnight
}
# The monthly "Où en es-tu ?" reminder of the path to autonomy, planned in the morning.
CELERY_BEAT_SCHEDULE["plan-check-in-reminders"] = {
    "task": "autonomy.tasks.plan_check_in_reminders",
    "schedule": crontab(minute=30, hour=10),
}
# The address people open (links in e-mails to référents).
JALON_PUBLIC_URL = env.str("JALON_PUBLIC_URL", default="http://127.0.0.1:8000")

# --- Files ------------------------------------------------------------------------------
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_URL = "/static/"
# Jalon's own look (backend/static/jalon/): the sign-in pages, /pro/ and the share page.
STATICFILES_DIRS = [BASE_DIR / "backend" / "static"]
VAULT_STORAGE_ROOT = Path(env.str("VAULT_STORAGE_ROOT", default=str(VAR_DIR / "vault")))
# The vault's blobs are encrypted (backend/crypto/). They go to S3-compatible object
# storage when a bucket is set, otherwise to local files readable by this user only.
VAULT_S3_BUCKET = env.str("VAULT_S3_BUCKET", default="")
if VAULT_S3_BUCKET:
    _vault_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": VAULT_S3_BUCKET,
            "endpoint_url": env.str("VAULT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("VAULT_S3_REGION", default="") or None,
            "access_key": _env_or_file("VAULT_S3_ACCESS_KEY"),
            "secret_key": _env_or_file("VAULT_S3_SECRET_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _vault_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(VAULT_STORAGE_ROOT),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "vault": _vault_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Accounts and authentication ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
    # Admin permissions come from the user's role (accounts/roles.py); nobody is given
    # groups or per-user permissions, although allauth's backend would honour them.
    "accounts.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # The password opens identity papers: 12 characters at least (a short passphrase),
    # checked against Django's local list of 20,000 common passwords (no outside call).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "admin:index"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"  # account_type: mentor or not
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Jalon] "
# allauth's rate limits stay at their defaults (sign-ups, codes, password resets...), but
# for failed logins; they count in the cache configured above, shared by every process.
# Failed logins are counted per address *and* account (accounts.adapter), in growing
# windows: 5 in 5 minutes, 10 in an hour, 20 in a day from one source, so someone who
# guesses from one address delays that address, never the real person signing in from
# another (allauth's default locks the account for everyone after 5 failures).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key,10/h/key,20/d/key"}
HEADLESS_CLIENTS = ("app",)
HEADLESS_ONLY = False  # the admin login goes through allauth's browser views (and MFA)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# TOTP secrets and recovery-code seeds are sealed with the master keyring (accounts/mfa.py).
MFA_ADAPTER = "accounts.mfa.MFAAdapter"
# A staff account sets up TOTP only with a single-use enrolment code (accounts/enrolment.py).
MFA_FORMS = {"activate_totp": "accounts.enrolment.ActivateTOTPForm"}
MFA_TOTP_ISSUER = "Jalon"
# Staff reach the admin, allauth's account pages and the API only with a session that
# passed TOTP (accounts/middleware.py, accounts/authentication.py); they set it up with an
# enrolment code.
STAFF_REQUIRE_MFA = env.bool("STAFF_REQUIRE_MFA", default=PRODUCTION)
if PRODUCTION and not STAFF_REQUIRE_MFA:
    raise environ.ImproperlyConfigured(
        "STAFF_REQUIRE_MFA cannot be off in production: the admin holds young people's data."
    )
# How long a staff enrolment code (issued by a superuser or ``issue_staff_enrolment``) lasts.
STAFF_ENROLMENT_CODE_HOURS = env.int("STAFF_ENROLMENT_CODE_HOURS", default=24)

# Sessions: the app's session token and the admin's cookie are session keys; the database
# keeps only their SHA-256 (accounts.session_store), so a dump of it opens nothing.
SESSION_ENGINE = "accounts.session_store"
# Idle limit: a session unused this long ends (the API pushes it forward as it is used).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_HOURS", default=72) * 3600
# Absolute limit: a session ends this long after its sign-in, however active.
SESSION_ABSOLUTE_AGE = env.int("SESSION_MAX_DAYS", default=14) * 24 * 3600
# How often, at most, an API request writes the session to push its idle limit forward.
SESSION_TOUCH_INTERVAL = 3600
# The admin's cookie session slides the same way, on every request.
SESSION_SAVE_EVERY_REQUEST = True
# Vault export, new shares and account erasure need a proof of the password (or second
# factor) this recent, by sign-in or by allauth's /auth/reauthenticate (seconds).
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_MINUTES", default=5) * 60
# Adding, removing or choosing an e-mail address asks for the same fresh proof: otherwise a
# stolen token adds its own address, resets the password and reaches the vault. The
# account's addresses are told of every such change.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
if SESSION_COOKIE_AGE <= SESSION_TOUCH_INTERVAL or SESSION_ABSOLUTE_AGE < SESSION_COOKIE_AGE:
    raise environ.ImproperlyConfigured(
        "SESSION_IDLE_HOURS must be over 1 and SESSION_MAX_DAYS cover it."
    )

# --- Catalogue ----------------------------------------------------------------------
# History of catalogue changes is for reading: changes go through the publication workflow.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Entries not reviewed for this long are flagged in the admin.
CATALOGUE_REVIEW_MAX_AGE_DAYS = env.int("CATALOGUE_REVIEW_MAX_AGE_DAYS", default=183)
# Imported entries scoring less (0-100, services_catalog.quality) stay out of the app.
CATALOGUE_MIN_QUALITY = env.int("CATALOGUE_MIN_QUALITY", default=50)
if not 0 <= CATALOGUE_MIN_QUALITY <= 100:
    raise environ.ImproperlyConfigured("CATALOGUE_MIN_QUALITY must be between 0 and 100.")
# How long a process reuses the catalogue's version it read (seconds): every anonymous
# list request needs it, and a database round trip was a third of a kept answer's cost.
# A change reaches the lists that much later at most. 0: read it on every request.
CATALOGUE_VERSION_MAX_AGE = env.float("CATALOGUE_VERSION_MAX_AGE", default=1.0)

# --- Vault ------------------------------------------------------------------------------
# The master keyring: JSON in VAULT_KEYRING, or a file. Production must bring its own;
# the embedded default generates var/vault-keyring.json on first use (backend/crypto/keyring.py).
VAULT_KEYRING = env.str("VAULT_KEYRING", default="")
VAULT_KEYRING_FILE = env.str(
    "VAULT_KEYRING_FILE", default="" if PRODUCTION else str(VAR_DIR / "vault-keyring.json")
)
VAULT_KEYRING_AUTOCREATE = not PRODUCTION
if PRODUCTION and not (VAULT_KEYRING or VAULT_KEYRING_FILE):
    raise environ.ImproperlyConfigured(
        "Set VAULT_KEYRING or VAULT_KEYRING_FILE: the vault's master keys never come from "
        "a default in production."
    )
_MB = 1024 * 1024
VAULT_MAX_FILE_SIZE = env.int("VAULT_MAX_FILE_MB", default=20) * _MB
VAULT_QUOTA = env.int("VAULT_QUOTA_MB", default=200) * _MB
VAULT_CHUNK_SIZE = 256 * 1024
VAULT_SHARE_DEFAULT_HOURS = 72
VAULT_SHARE_MAX_HOURS = 7 * 24
VAULT_SHARE_CODE_ATTEMPTS = 5
# A blob journaled this long ago without its document is what a crash left behind.
VAULT_PENDING_BLOB_GRACE_MINUTES = 60
# Rotate the master key (and retire the one before) this often: an erased person's wrapped
# key opens from older database backups until then, plus the keyring backups' retention.
# Each morning a task logs a warning when the key is older, or an old version can go.
VAULT_MASTER_KEY_ROTATION_DAYS = env.int("VAULT_MASTER_KEY_ROTATION_DAYS", default=30)
CELERY_BEAT_SCHEDULE["check-vault-master-keys"] = {
    "task": "vault.tasks.check_master_keys",
    "schedule": crontab(minute=0, hour=9),
}

# --- Mentoring --------------------------------------------------------------------------
# A mentor stays matchable this long after their honourability check (work with minors).
MENTORING_HONOURABILITY_MAX_AGE_DAYS = env.int(
    "MENTORING_HONOURABILITY_MAX_AGE_DAYS", default=3 * 365
)

# Push notifications: "recording" (stored in the database; development and tests),
# "fcm" (Firebase Cloud Messaging through the Firebase Admin SDK) or "none".
PUSH_BACKEND = env.str("PUSH_BACKEND", default="none" if PRODUCTION else "recording")
# With "fcm": the service account's JSON key (empty: GOOGLE_APPLICATION_CREDENTIALS), from
# which the SDK gets and refreshes its OAuth tokens; the Firebase project (empty: the
# key's); FCM's address (empty: Google's; a local stand-in in tests, or an egress proxy).
FCM_CREDENTIALS_FILE = env.str("FCM_CREDENTIALS_FILE", default="")
FCM_PROJECT_ID = env.str("FCM_PROJECT_ID", default="")
FCM_ENDPOINT = env.str("FCM_ENDPOINT", default="")
# SMS (reminders, calls for help), to people who gave a number and agreed: "recording"
# (stored in the database; development and tests), "brevo" (Brevo's transactional SMS
# API) or "none".
SMS_BACKEND = env.str("SMS_BACKEND", default="none" if PRODUCTION else "recording")
if SMS_BACKEND not in ("recording", "brevo", "none"):
    raise environ.ImproperlyConfigured("SMS_BACKEND must be 'recording', 'brevo' or 'none'.")
SMS_API_KEY = _env_or_file("SMS_API_KEY") or ""
if SMS_BACKEND == "brevo" and not SMS_API_KEY:
    raise environ.ImproperlyConfigured("SMS_BACKEND=brevo needs SMS_API_KEY or SMS_API_KEY_FILE.")
SMS_API_URL = env.str("SMS_API_URL", default="https://api.brevo.com")  # a stand-in in tests
# The sender shown on the phone: 11 letters or digits at most (operators' rule).
SMS_SENDER = env.str("SMS_SENDER", default="Jalon")
# In the delivery receipts' address (/hooks/sms/<secret>/): empty, no receipts.
SMS_WEBHOOK_SECRET = _env_or_file("SMS_WEBHOOK_SECRET") or ""
if SMS_WEBHOOK_SECRET and len(SMS_WEBHOOK_SECRET) < 32:
    # It is the only key to the receipts' address: long enough not to be guessed.
    raise environ.ImproperlyConfigured("SMS_WEBHOOK_SECRET must be 32 characters or more.")
# Cost caps, checked before each SMS: beyond them, push or e-mail instead.
SMS_MAX_PER_PERSON_PER_DAY = env.int("SMS_MAX_PER_PERSON_PER_DAY", default=3)
SMS_MAX_PER_DEPARTEMENT_PER_MONTH = env.int("SMS_MAX_PER_DEPARTEMENT_PER_MONTH", default=500)
# Reminders: a channel that fails is retried this many times, further apart each time.
REMINDERS_MAX_ATTEMPTS = 5

# Steering figures: any figure computed from fewer people than this is shown as "< N".
FIGURES_MIN_PEOPLE = env.int("FIGURES_MIN_PEOPLE", default=5)
if FIGURES_MIN_PEOPLE < 3:  # 1 would hide nothing, 2 would show every pair
    raise environ.ImproperlyConfigured("FIGURES_MIN_PEOPLE must be at least 3.")

# --- E-mail -----------------------------------------------------------------------------
_EMAIL_URL = _env_or_file("EMAIL_URL")
if PRODUCTION and not _EMAIL_URL:
    # Sign-up and password codes must reach people.
    raise environ.ImproperlyConfigured("EMAIL_URL is required in production (a mail server).")
if _EMAIL_URL:
    vars().update(env.email_url_config(_EMAIL_URL))
    # The password apart from the URL (EMAIL_PASSWORD_FILE: a secret), any character allowed.
    EMAIL_HOST_PASSWORD = _env_or_file("EMAIL_PASSWORD") or vars().get("EMAIL_HOST_PASSWORD", "")
else:
    # Without a mail server, e-mails (verification codes...) are printed on the console.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Jalon <no-reply@jalon.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "fr"
register_languages()  # Pashto, Dari, Tigrinya: Django's table lacks them
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("ps", _("Pashto")),
    ("prs", _("Dari")),
    ("ti", _("Tigrinya")),
]
LANGUAGES_BIDI = RIGHT_TO_LEFT
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.SessionTokenAuthentication",
        "accounts.authentication.StaffSecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["backend.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "backend.api.throttling.AnonymousRateThrottle",
        "backend.api.throttling.SignedInRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/minute"),
        "user": env.str("API_THROTTLE_USER", default="600/minute"),
        # Confirming an account's erasure with its password: no guessing with a stolen token.
        "erase": "10/hour",
        "vault_upload": env.str("API_THROTTLE_VAULT_UPLOAD", default="120/hour"),
        "vault_export": "10/hour",
        "vault_share_link": "60/minute",
        "messages": env.str("API_THROTTLE_MESSAGES", default="30/minute"),
        # Typing a référent's invitation code: on top of the ten wrong codes an hour.
        "referent_codes": "30/hour",
        # "Signaler une erreur" on a catalogue entry: enough for a person, not for a script.
        "catalogue_reports": env.str("API_THROTTLE_CATALOGUE_REPORTS", default="10/hour"),
    },
    "NUM_PROXIES": 0,  # REMOTE_ADDR, as TrustedProxyMiddleware resolved it
    "EXCEPTION_HANDLER": "backend.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "backend.api.schema.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jalon API",
    "DESCRIPTION": (
        "API of the Jalon mobile app: rights and services, document vault, mentoring. "
        "Authenticate with the `X-Session-Token` header obtained from the allauth "
        "endpoints under `/_allauth/app/v1/`. Every error has the shape described in "
        "the `Error` component."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EntryKindEnum": "services_catalog.models.Entry.Kind",
        "FigureHiddenEnum": "figures.serializers.HIDDEN_REASONS",
        "ContactKindEnum": "accounts.models.DepartementContact.Kind",
        "EntryStatusEnum": "services_catalog.models.Entry.Status",
        "EntryErrorReportKindEnum": "services_catalog.models.EntryErrorReport.Kind",
        "DemarcheStatusEnum": "services_catalog.models.Demarche.Status",
        "ShareKindEnum": "vault.models.Share.Kind",
        "ReferentScopeEnum": "referents.models.Scope",
        "DomainEnum": "mentoring.vocabulary.Domain",
        "ProjetDomainEnum": "autonomy.models.Domain",
        "ProjetActorEnum": "autonomy.models.Actor",
        "AssessmentAuthorEnum": "autonomy.models.AssessmentAuthor",
        "GoalStatusEnum": "autonomy.models.Goal.Status",
        "ActionStatusEnum": "autonomy.models.Action.Status",
        "GenderEnum": "mentoring.vocabulary.Gender",
        "MeetingModeEnum": "mentoring.vocabulary.MeetingMode",
        "MatchStatusEnum": "mentoring.models.Match.Status",
        "MentoringRequestStatusEnum": "mentoring.models.MentoringRequest.Status",
        "MentorStatusEnum": "mentoring.models.MentorProfile.Status",
    },
    # Swagger UI served from our own static files: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
HEADLESS_SERVE_SPECIFICATION = True  # allauth's own OpenAPI spec at /_allauth/openapi.json
# Its page, /_allauth/openapi.html, with Swagger UI from our own static files (allauth's
# templates load it from a CDN: blank offline).
HEADLESS_SPECIFICATION_TEMPLATE_NAME = "headless/spec/swagger_local.html"

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Under /api/, a refused CSRF check answers in the API's error format, not an HTML page.
CSRF_FAILURE_VIEW = "backend.api.exceptions.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health probes and the metrics' scraper come from inside the cluster over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Every handler redacts tokens, codes, e-mail addresses and client addresses
# (backend/logging.py) and adds the request's id and user's primary key (never an e-mail)
# or the Celery task's id. Django's own handlers ("django": console and mail_admins) are
# replaced: its records reach the root's filtered handler instead.
# LOG_FORMAT: "json" writes one JSON object per line (timestamp, level, logger, message,
# request_id, user_id...), for a log collector; "text" a readable line.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
if LOG_FORMAT not in {"text", "json"}:
    raise environ.ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "backend.logging.RequestContext"},
        "redact_secrets": {"()": "backend.logging.RedactSecrets"},
    },
    "formatters": {
        "text": {"()": "backend.logging.TextFormatter"},
        "json": {"()": "backend.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context", "redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # redis-py puts an unfiltered handler of its own on this logger unless it exists.
        "push_response": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
# Celery's worker keeps this configuration instead of putting its own handlers on root.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Error tracking and metrics (both off unless configured) ----------------------------
# Sentry: only with a DSN; no personal data leaves (backend/sentry.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if not 0.0 <= SENTRY_TRACES_SAMPLE_RATE <= 1.0:
    raise environ.ImproperlyConfigured("SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1.")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
if SENTRY_DSN:
    from .sentry import init as _init_sentry

    _init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
        release=SENTRY_RELEASE,
    )

# Prometheus: /metrics answers 404 unless METRICS_ENABLED, and 401 without the bearer
# METRICS_TOKEN (backend/metrics.py). Under gunicorn, PROMETHEUS_MULTIPROC_DIR (read by
# prometheus-client itself) adds up the workers' figures.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=False)
METRICS_TOKEN = _env_or_file("METRICS_TOKEN") or ""
if METRICS_ENABLED and len(METRICS_TOKEN) < 20:
    raise environ.ImproperlyConfigured(
        "METRICS_ENABLED needs a METRICS_TOKEN of at least 20 random characters "
        "(the scraper's bearer token)."
    )
