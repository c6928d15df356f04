"""Django settings: one file, environment variables with working defaults (SQLite, DEBUG on).

A fresh clone runs with no configuration. Production differs only by environment variables, and a
missing production setting (the secret key when debug is off) stops the start with a clear message.

- `DATABASE_URL`        default `sqlite:///kesu.sqlite3` in the working directory; `postgres://…` works
- `KESU_DEBUG`          `1` (default) or `0`
- `KESU_SECRET_KEY`     required when `KESU_DEBUG=0`
- `KESU_ALLOWED_HOSTS`  comma-separated; default `localhost,127.0.0.1,[::1]` (`*` when debug is on)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("KESU_DEBUG", "1")
TESTING = "pytest" in sys.modules

SECRET_KEY = os.environ.get("KESU_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("KESU_DEBUG=0 时必须设置 KESU_SECRET_KEY（一段足够长的随机字符串）")
    SECRET_KEY = "kesu-dev-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"

_hosts = os.environ.get("KESU_ALLOWED_HOSTS", "")
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()] or (
    ["*"] if DEBUG else ["localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("KESU_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # "ninja" in INSTALLED_APPS makes the API docs use django-ninja's bundled Swagger UI (no CDN).
    "ninja",
    "kesu.accounts",
    "kesu.cases",
    "kesu.clocks",
    "kesu.routing",
    "kesu.api",
    "kesu.demo",
    "kesu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kesu.urls"
WSGI_APPLICATION = "kesu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kesu" / "templates"],
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "sqlite:///" + str(Path.cwd() / "kesu.sqlite3")),
        conn_max_age=int(os.environ.get("KESU_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/cases/"
LOGOUT_REDIRECT_URL = "/login/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
if TESTING:
    # Tests create many users; the real hasher would dominate the suite's run time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `collectstatic` target; with WHITENOISE_USE_FINDERS it is optional, so only used once it exists.
_static_root = Path(os.environ.get("KESU_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT = _static_root if _static_root.is_dir() or "KESU_STATIC_ROOT" in os.environ else None
STATICFILES_DIRS = [p for p in [BASE_DIR / "kesu" / "static"] if p.is_dir()]
# Serve straight from the apps' static folders: no collectstatic step, nothing from a CDN.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploaded attachments (recordings, photos, documents). Served only through a permission-checked view.
MEDIA_ROOT = Path(os.environ.get("KESU_MEDIA_ROOT", str(Path.cwd() / "media")))
# Largest upload accepted in one request; attachment kinds have their own limits (cases/intake.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _flag("KESU_SECURE_COOKIES", "0" if DEBUG else "1")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KESU_LOG_LEVEL", "WARNING")},
}

# Attachments (model only for now): accepted kinds are listed in kesu/cases/intake.py.
KESU_ATTACHMENT_MAX_BYTES = int(os.environ.get("KESU_ATTACHMENT_MAX_BYTES", str(50 * 1024 * 1024)))
