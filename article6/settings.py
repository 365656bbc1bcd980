"""Settings for article6, read from the environment with safe embedded defaults.

DATABASE_URL  default: an SQLite file under var/ (zero set-up)
SECRET_KEY    default: a random key made once and kept in var/secret_key
DEBUG         "true"/"1" to turn on; off by default
ALLOWED_HOSTS comma-separated; defaults to the loopback names
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("ARTICLE6_HOME", PACKAGE_DIR.parent)).resolve()
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")


def embedded_secret_key() -> str:
    """Without SECRET_KEY, a random key made once and kept in var/ (mode 600),
    so that no two installations share a key and none is in the repository."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or embedded_secret_key()

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "article6.accounts",
    "article6.states",
    "article6.treaty",
    "article6.assistance",
    "article6.reporting",
    "article6.work",
    "article6.api",
    "article6.ops",
]

MIDDLEWARE = [
    "article6.ops.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "article6.static_files.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "article6.ops.routers.PublicReadsMiddleware",
    "article6.accounts.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "article6.accounts.middleware.RequireTwoFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

ROOT_URLCONF = "article6.urls"
WSGI_APPLICATION = "article6.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "article6.context_processors.site",
            ],
        },
    },
]


def for_several_writers(database: dict) -> dict:
    """The embedded SQLite database, set for several people saving at once (the one place
    it is set). WAL journal: readers never wait for a writer, nor a writer for readers. A
    busy timeout: a writer waits up to 30 s for the lock instead of failing at once with
    "database is locked". Transactions that take the write lock when they begin (BEGIN
    IMMEDIATE): two that read then write cannot both hold a read lock and each wait for
    the other, which SQLite answers with an immediate "database is locked"."""
    if database.get("ENGINE") == "django.db.backends.sqlite3":
        database.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    return database


DATABASES = {
    "default": for_several_writers(
        dj_database_url.parse(
            os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'article6.sqlite3'}",
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        )
    )
}
# A read replica (PostgreSQL streaming replication): the public pages read from it
# (article6.ops.routers). Its tests mirror the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["article6.ops.routers.PublicReadsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "default" keeps computed figures, per process. "limits" holds what must be counted
# across every process and kept over a restart: failed sign-ins, second-factor and
# password-reset attempts, the second-factor codes already used (django-allauth's rate
# limits, pointed at it by accounts.apps). Its table is made by a migration.
LIMITS_CACHE_TABLE = "article6_limits_cache"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": LIMITS_CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The six official languages of the United Nations; English is complete, the
# others are declared so that translators can work from the message files.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates are shown in one format per language: the long form ("30 April 2027") in English,
# the language's own long form elsewhere (article6/formats/).
FORMAT_MODULE_PATH = ["article6.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# Uploaded evidence is kept under var/media and given out by a view that checks who may see
# it (never served as public files). Uploads are limited in size (assistance.models).
MEDIA_ROOT = Path(os.environ.get("ARTICLE6_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ARTICLE6_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic target; whitenoise expects it
NODE_MODULES = Path(os.environ.get("ARTICLE6_NODE_MODULES", BASE_DIR / "node_modules"))
# Front-end packages come from npm at set-up (package.json), never from the repository.
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    # Charts: Vega-Lite specs drawn by vega-embed; expressions run by vega-interpreter, so the
    # Content Security Policy needs no 'unsafe-eval'.
    ("vendor/vega", NODE_MODULES / "vega" / "build"),
    ("vendor/vega-lite", NODE_MODULES / "vega-lite" / "build"),
    ("vendor/vega-embed", NODE_MODULES / "vega-embed" / "build"),
    ("vendor/vega-interpreter", NODE_MODULES / "vega-interpreter" / "build"),
    # One type family for the six languages, self-hosted (no font service): Noto Sans for Latin
    # and Cyrillic, Noto Sans Arabic and Noto Sans SC for those scripts.
    ("vendor/fonts/noto-sans", NODE_MODULES / "@fontsource" / "noto-sans"),
    ("vendor/fonts/noto-sans-arabic", NODE_MODULES / "@fontsource" / "noto-sans-arabic"),
    ("vendor/fonts/noto-sans-sc", NODE_MODULES / "@fontsource" / "noto-sans-sc"),
    # Searchable lists (e.g. among 190 States) in the forms: static/js/forms.js.
    ("vendor/tom-select", NODE_MODULES / "tom-select" / "dist"),
]
# `article6 serve` collects the static files once, compressed (gzip and Brotli where it is
# installed) under names that carry their content's hash, so that browsers keep them for a
# year; the development server and the tests read them where they are.
STATIC_COLLECTED = env_bool("ARTICLE6_STATIC_COLLECTED")
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
if STATIC_COLLECTED:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "article6.ops.storage.CollectedStaticFiles"},
    }
# Files browsers ask for at the site's root (/favicon.ico), served as they are.
WHITENOISE_ROOT = PACKAGE_DIR / "webroot"

# --- Accounts (django-allauth): sign-in by e-mail, accounts by invitation only ----------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # the invitation itself proves the address
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_ADAPTER = "article6.accounts.adapter.InvitationOnlyAdapter"
ACCOUNT_FORMS = {
    "login": "article6.accounts.forms.SignInForm",
    "reset_password": "article6.accounts.forms.PasswordResetForm",
}
# The person is told by e-mail when their password changes (and that their API tokens were revoked).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Changes an API token may make in a minute (a 429 with Retry-After beyond; article6.api.auth).
API_TOKEN_WRITES_PER_MINUTE = int(os.environ.get("API_TOKEN_WRITES_PER_MINUTE", "120"))
# Failed passwords are limited by SIGN_IN_LIMITS below, which answer with Retry-After; allauth's
# per-address limit (5 a minute) would answer first, without it. Its per-account limit stays:
# it also counts the codes of the second factor.
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key", "reset_password": "5/m/ip,3/m/key"}
# Failed sign-ins an account (the e-mail typed) or an address may have within the window (in
# seconds) before the next attempt is answered 429 with Retry-After (article6.accounts.limits).
SIGN_IN_LIMITS = {"per_account": 5, "per_address": 20, "window": 15 * 60}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "article6"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "article6 <no-reply@article6.invalid>")
# Every e-mail is queued as a background task (article6.ops.mail), so that a page never waits
# for the mail server and a server that refuses is tried again; the worker (`article6 worker`)
# hands it to ARTICLE6_EMAIL_DELIVERY: SMTP when EMAIL_HOST is set, else the console.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "article6.ops.mail.QueuedEmailBackend")
ARTICLE6_EMAIL_DELIVERY = os.environ.get(
    "ARTICLE6_EMAIL_DELIVERY",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# Background work (e-mail, PDFs, big imports and exports) through Django's tasks API, queued
# in the site's own database: no broker to run. `article6 worker` runs the tasks; one that
# fails is tried again after ARTICLE6_TASK_RETRY_DELAYS seconds, then shown to ISU staff.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
ARTICLE6_TASK_RETRY_DELAYS = tuple(
    int(seconds) for seconds in os.environ.get("ARTICLE6_TASK_RETRY_DELAYS", "60,300,1800,7200").split(",") if seconds
)
# A task still running after this long, on a worker that did not finish it, is given to
# another worker (a worker stopped by force leaves its task behind).
ARTICLE6_TASK_LEASE_SECONDS = int(os.environ.get("ARTICLE6_TASK_LEASE_SECONDS", "3600"))

# The load test's trivial view (article6.ops.trivial), a route only when this is on.
ARTICLE6_BENCH_TRIVIAL_VIEW = env_bool("ARTICLE6_BENCH_TRIVIAL_VIEW")

# Sessions end after eight hours, or when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Production behind HTTPS (ARTICLE6_HTTPS=true): secure cookies, HSTS, redirect to HTTPS.
HTTPS = env_bool("ARTICLE6_HTTPS")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# A load balancer asks for the health checks over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("ARTICLE6_BEHIND_PROXY") else None
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# Content Security Policy: everything from this site only; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# SQLite cannot enforce "NULLS NOT DISTINCT" on the role constraint; PostgreSQL does,
# and Role.clean() and the invitation flow check it on both.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"message": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "logging.StreamHandler", "formatter": "message"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # One JSON line per request (article6.ops.request_log), on when ARTICLE6_REQUEST_LOG is set.
    "loggers": {
        "article6.requests": {
            "handlers": ["requests"],
            "level": "INFO" if env_bool("ARTICLE6_REQUEST_LOG") else "WARNING",
            "propagate": False,
        }
    },
}
