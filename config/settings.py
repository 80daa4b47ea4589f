"""Story Bank settings: one file, every value read from the environment.

Production behaviour is switched by environment variables (see README,
"Environment variables"), never by a second settings module. A bad value
fails loudly with the variable's name.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("STORYBANK_TESTING", False)

# A checkout's own settings: `make run` / `make test` write a git-ignored .env
# with a random SECRET_KEY the first time, so every manage.py command works as
# printed in the README. Real environment variables win over the file. The
# test suite ignores it, so a developer's local tweaks never change what the
# tests check. Production has no .env and must set SECRET_KEY itself.
ENV_FILE = Path(env_str("STORYBANK_ENV_FILE", str(BASE_DIR / ".env")))
if not TESTING and ENV_FILE.is_file():
    from dotenv import load_dotenv

    load_dotenv(ENV_FILE, override=False)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (a checkout gets one in .env from "
            "`make run` or `make test`)"
        )
    # Debug servers and tests only: never used when DEBUG is off.
    SECRET_KEY = "insecure-local-development-key-" + "x" * 40

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "config.apps.StoryBankAdminConfig",  # django.contrib.admin; see config/admin.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "principles",
    "stories",
    "practice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.private_no_store",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    }
]


# --- Database: PostgreSQL, always -------------------------------------------
def embedded_database_url() -> str:
    """Start (or join) the embedded PostgreSQL server whose data lives in var/.

    Used when DATABASE_URL is unset, so a fresh checkout needs no set-up. The
    server runs while any process of this checkout uses it; the last one to
    leave stops it (config/embedded_postgres.py, README "The database").
    """
    from config.embedded_postgres import EmbeddedPostgres, EmbeddedPostgresError, die_with_parent

    root = Path(env_str("EMBEDDED_POSTGRES_DIR", str(BASE_DIR / "var" / "postgres")))
    try:
        url = EmbeddedPostgres.at(root).join()
    except EmbeddedPostgresError as error:
        # One line, no traceback: the message says what to do.
        sys.exit(f"Story Bank: {error}")
    if os.environ.get("RUN_MAIN") == "true":
        # runserver's autoreloaded child: it must not outlive a parent stopped by a signal.
        die_with_parent()
    return url


DATABASE_URL = env_str("DATABASE_URL") or embedded_database_url()
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env_str("TEST_DATABASE_NAME"):
    # Lets two test runs share one server (e.g. two checkouts) without colliding.
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Cache: Redis when given, else the database (shared by all workers) -----
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # The database cache keeps allauth's rate limits consistent across several
    # gunicorn workers, which a per-process locmem cache would not.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "storybank_cache",
        }
    }


# --- Accounts (django-allauth) ----------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "stories:bank"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_PREVENT_ENUMERATION = False  # a duplicate sign-up email gets a clear message
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "config.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, written out so they are visible and tested. The "key"
    # of login_failed is the email *and* the client address (config/adapter.py),
    # so failures from one address never lock the owner out elsewhere.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# The client address allauth's rate limits count: REMOTE_ADDR, unless Story Bank
# runs behind proxies that append to X-Forwarded-For (then set how many).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Story Bank"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# --- Email --------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Story Bank <noreply@localhost>")


# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True


# --- Static files (whitenoise, hashed names) ----------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Recordings of practice answers (issue 15) are private: never under MEDIA_URL,
# only served by practice's authenticated view. By default a git-ignored folder
# under var/; RECORDINGS_S3_BUCKET switches to an S3-compatible store
# (django-storages) that several web nodes share.
RECORDINGS_DIR = Path(env_str("RECORDINGS_DIR", str(BASE_DIR / "var" / "recordings")))
RECORDINGS_S3_BUCKET = env_str("RECORDINGS_S3_BUCKET")
if RECORDINGS_S3_BUCKET:
    RECORDINGS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RECORDINGS_S3_BUCKET,
            "endpoint_url": env_str("RECORDINGS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("RECORDINGS_S3_REGION") or None,
            "access_key": env_str("RECORDINGS_S3_ACCESS_KEY") or None,
            "secret_key": env_str("RECORDINGS_S3_SECRET_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
else:
    RECORDINGS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": RECORDINGS_DIR},
    }
# A transcript step for the delivery analysis, to come (issue 15 ships none): the
# dotted path of a callable (samples, rate) -> str, whose text practice/delivery.py
# stores in the figures' "transcript". Empty: no transcript.
RECORDING_TRANSCRIBER = env_str("RECORDING_TRANSCRIBER", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "recordings": RECORDINGS_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# An import ZIP waiting for the user's go-ahead (unknown tags) is kept here for
# half an hour, where every web node finds it: beside the recordings, in its own
# folder (or under transfer/ in the same bucket).
TRANSFER_STORAGE = {
    "BACKEND": RECORDINGS_STORAGE["BACKEND"],
    "OPTIONS": {**RECORDINGS_STORAGE["OPTIONS"], "location": "transfer"}
    if RECORDINGS_S3_BUCKET
    else {"location": Path(env_str("TRANSFER_DIR", str(BASE_DIR / "var" / "transfer")))},
}
STORAGES["transfer"] = TRANSFER_STORAGE


# --- Background work (django-tasks, database backend) -----------------------
# Recordings are analysed by `manage.py db_worker` (make run starts one beside
# the server), so a request never waits for the analysis.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# --- Forms --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"


# --- Security -----------------------------------------------------------------
# Tests talk plain HTTP to the test client and the live server; the security
# tests switch these back on with override_settings and assert the headers.
HTTPS_ONLY = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS_ONLY)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS_ONLY)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS_ONLY)
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

SELF = "'self'"
NONE = "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Logging: errors to stderr, so a 500 is never silent ------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
