"""Settings for the archive, read from the environment.

Defaults run on a laptop: SQLite and a Whoosh folder, both under ``DATA_DIR``.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-change-me-in-production")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "config.apps.ArchiveAdminConfig",  # Django's admin, with our site (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "haystack",
    "simple_history",
    "archive",
    "search",
]

MIDDLEWARE = [
    "archive.middleware.RequestBodyLimitMiddleware",  # first: refuses a too-large body before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records which curator made each change in the field-level history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

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
    },
]

WSGI_APPLICATION = "config.wsgi.application"

_sqlite_url = f"sqlite:///{DATA_DIR / 'archive.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _sqlite_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the site read while an ingest writes; NORMAL sync is safe with WAL.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }


def _usable_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "search.backends.ChineseWhooshEngine",
        "PATH": os.environ.get("WHOOSH_PATH", str(DATA_DIR / "whoosh")),
        # Processes that write a large indexing batch (search/whoosh_writer.py): one per core, at most 4.
        "PROCS": int(os.environ.get("SEARCH_INDEX_PROCS") or min(4, _usable_cpus())),
    },
}
# Articles reach the index after each transaction commits (search/signals.py).
HAYSTACK_SIGNAL_PROCESSOR = "search.signals.ArticleSignalProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files in every mode, straight from static/ (no collectstatic step needed).
# For a deployment that collects them, set STATIC_ROOT and run `manage.py collectstatic`.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Which communities/villages (村/社区) the gazetteer loads: "none", "all", or a
# comma-separated list of province codes.  Zhejiang (33) by default.
GAZETTEER_VILLAGES = os.environ.get("GAZETTEER_VILLAGES", "33")

# Records larger than this are rejected (and logged) rather than stored.
INGEST_MAX_RECORD_BYTES = int(os.environ.get("INGEST_MAX_RECORD_BYTES", 5 * 1024 * 1024))
# Files a curator uploads in the admin (Ingest runs → Upload records) may be at most this large.
INGEST_UPLOAD_MAX_BYTES = int(os.environ.get("INGEST_UPLOAD_MAX_BYTES", 50 * 1024 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
