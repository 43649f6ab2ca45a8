"""Settings for the archive, read from the environment.

Defaults run on a laptop: SQLite and a Whoosh folder, both under ``DATA_DIR``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from config.secret import secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

# From the environment, else DATA_DIR/secret_key (made on first start, mode 0600): never a shared default.
SECRET_KEY = secret_key(environ=os.environ, path=DATA_DIR / "secret_key")
# Off unless DEBUG=1 (true/yes/on): with it on, an error page shows a traceback and settings to anyone.
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "config.apps.ArchiveAdminConfig",  # Django's admin, with our site (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "search",  # before haystack: its rebuild_index (atomic) replaces haystack's
    "haystack",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "archive",
    "alerts",
    "api",
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

# SQLite's page cache per connection (KiB): 64 MiB suits an ingest. Each web thread holds a
# connection of its own, so gunicorn's settings (config/gunicorn.py) make it 8 MiB for web processes.
SQLITE_CACHE_KIB = int(os.environ.get("SQLITE_CACHE_KIB", 65536))
_sqlite_url = f"sqlite:///{DATA_DIR / 'archive.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _sqlite_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the site read while an ingest writes; NORMAL sync is safe with WAL.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; "
            f"PRAGMA cache_size=-{SQLITE_CACHE_KIB};"
        ),
        "transaction_mode": "IMMEDIATE",
    }


def _usable_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# SEARCH_ENGINE: "whoosh" (embedded, the default: a folder under DATA_DIR) or "typesense" (a server
# or cluster: TYPESENSE_NODES, comma-separated URLs of every node, and TYPESENSE_API_KEY).
SEARCH_ENGINE = os.environ.get("SEARCH_ENGINE", "whoosh").strip().lower()
if SEARCH_ENGINE == "typesense":
    _nodes = [n.strip() for n in os.environ.get("TYPESENSE_NODES", "http://127.0.0.1:8108").split(",") if n.strip()]
    HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "search.backends.TypesenseEngine",
            "NODES": _nodes,
            "API_KEY": os.environ.get("TYPESENSE_API_KEY", ""),
            "COLLECTION": os.environ.get("TYPESENSE_COLLECTION", "articles"),
        },
    }
elif SEARCH_ENGINE == "whoosh":
    HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "search.backends.ChineseWhooshEngine",
            "PATH": os.environ.get("WHOOSH_PATH", str(DATA_DIR / "whoosh")),
            # Processes that write a large indexing batch (search/whoosh_internals.py): one per core, at most 4.
            "PROCS": int(os.environ.get("SEARCH_INDEX_PROCS") or min(4, _usable_cpus())),
            # Postings and substring answers each process keeps (search/postings.py), in MB.
            "CACHE_MB": int(os.environ.get("SEARCH_CACHE_MB") or 1024),
        },
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"SEARCH_ENGINE={SEARCH_ENGINE!r}: use whoosh (the default) or typesense")
# Articles reach the index after each transaction commits (search/signals.py).
HAYSTACK_SIGNAL_PROCESSOR = "search.signals.ArticleSignalProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20

# Each process's own memory cache (home and place figures, related articles): Django's default keeps
# 300 entries, fewer than the related lists of one busy hour's articles.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", 20000))},
    }
}

# The API's rate limits are counted here, shared by every web process: files under DATA_DIR by
# default; API_CACHE_URL=redis://host:6379/0 puts them in Redis (Django's own Redis cache).
_API_CACHE_URL = os.environ.get("API_CACHE_URL", "")
CACHES["api"] = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _API_CACHE_URL}
    if _API_CACHE_URL.startswith(("redis://", "rediss://"))
    else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "cache" / "api")}
)
API_ANON_RATE_PER_MINUTE = int(os.environ.get("API_ANON_RATE_PER_MINUTE") or 60)  # per client address
API_USER_RATE_PER_MINUTE = int(os.environ.get("API_USER_RATE_PER_MINUTE") or 600)  # a signed-in user's session
EXPORT_JOB_MAX_ROWS = int(os.environ.get("EXPORT_JOB_MAX_ROWS") or 100_000)  # rows of a background export
EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS") or 7)  # a finished export's file is kept this long

# -- Background work ------------------------------------------------------------------------------
# Slow work (index writes after a commit, uploads, source renames, geotagging again) is queued and
# run by the worker (`manage.py db_worker`, started by `make run`). The embedded default keeps the
# queue in the database; TASKS_BACKEND names another backend of Django's tasks framework (e.g.
# "django_tasks_rq.RQBackend" for Redis), or "immediate" to run each task at once, in the caller.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASK_QUEUES = ["index", "default"]  # "index": short index writes, never behind a long upload
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS.get(os.environ.get("TASKS_BACKEND", "database"), os.environ.get("TASKS_BACKEND")),
        "QUEUES": TASK_QUEUES,
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "config.passwords.MinimumLengthValidator"},  # Django's, with its message in Chinese
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
# `manage.py ingest` stops reading a .gz past this many inflated bytes (a too_large rejection): far
# more than any real dump, far less than a few kilobytes of "gzip bomb" unpack to.
INGEST_MAX_DECOMPRESSED_BYTES = int(os.environ.get("INGEST_MAX_DECOMPRESSED_BYTES", 16 * 1024**3))
# Request bodies (archive/middleware.py): 413 past this, except the upload and retry views.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", 1024 * 1024))
REQUEST_BODY_MARGIN_BYTES = int(os.environ.get("REQUEST_BODY_MARGIN_BYTES", 1024 * 1024))
# An article's change form sends about 4 fields a place: 1,000 would refuse one with ~240 places.
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", 2000))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Security (README "Security defaults") -----------------------------------------------------------
# Always on, with or without HTTPS.  (SECURE_CONTENT_TYPE_NOSNIFF and SESSION_COOKIE_HTTPONLY are
# Django's defaults; the rest are stated so that they are not changed by accident.)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"  # links out (to the original articles) send no Referer
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads the token from the cookie; forms carry it

# Content-Security-Policy (django-csp): scripts, styles, fonts and images only from the site itself.
# No page has inline script or style (styles are in static/css/; the SVG chart uses attributes and
# classes, not style=""), so none is allowed: injected markup can neither run nor restyle a page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
INSTALLED_APPS += ["csp"]
MIDDLEWARE += ["csp.middleware.CSPMiddleware"]

# Signing in (staff readers and curators save searches; the admin keeps its own sign-in page).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "alerts:list"
LOGOUT_REDIRECT_URL = "archive:home"
# The site's public address, for the links in alert messages (sent by the worker, outside any request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Each run of a saved search looks this far back before its last run (deliveries keep out repeats),
# so an article made public just before a run but indexed just after it is sent next time.
ALERTS_LOOKBACK_HOURS = int(os.environ.get("ALERTS_LOOKBACK_HOURS") or 48)

# Email (the alerts of saved searches): Django's own setting names, read from the environment.
# The embedded default prints each message to the worker's output (the console backend).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT") or 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "地方治理报道档案 <archive@localhost>")
if os.environ.get("EMAIL_FILE_PATH"):  # for the file backend
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]

# BEHIND_TLS_PROXY=1: the archive is served over HTTPS by a reverse proxy (nginx, Caddy, a load
# balancer) that terminates TLS, sets X-Forwarded-Proto and forwards plain HTTP to us.  The proxy
# must set (overwrite) that header on every request; otherwise a client could claim HTTPS.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # HSTS for a year: once a browser has seen it, it will not open the site over plain HTTP for that
    # long, so only turn BEHIND_TLS_PROXY on where HTTPS is there to stay.  includeSubDomains and
    # preload are what `check --deploy` asks for.  preload only consents to the browsers' preload
    # list: nothing is listed until someone submits the domain at hstspreload.org, which accepts
    # only a registrable domain serving this header itself, with every subdomain on HTTPS.
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # A proxy that rewrites the Host header makes the Origin differ from it; trust our own hosts.
    CSRF_TRUSTED_ORIGINS = [
        "https://*" + host if host.startswith(".") else "https://" + host for host in ALLOWED_HOSTS if host != "*"
    ]

# Sign-in throttling (django-axes): 5 wrong passwords for one username from one address lock that
# pair out for 15 minutes, counted again from each attempt made meanwhile; a success forgets the
# failures.  Other usernames and other addresses are not affected.  Superusers see the attempts in
# the admin; curators don't (archive/roles.py gives them no axes permission).
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last: turns a lockout into the lockout page
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "login_locked.html"  # status 429
if BEHIND_TLS_PROXY:
    # Behind the proxy every request comes from the proxy's address: take the client's from the
    # X-Forwarded-For entry the proxy appended (config/client_ip.py).
    AXES_CLIENT_IP_CALLABLE = "config.client_ip.forwarded_client_ip"
