"""Settings for the tutoring chat, read from the environment.

Every knob that differs between a laptop and production is an environment variable,
parsed by the strict helpers in ``tutoring.env`` (junk raises ``ImproperlyConfigured``).
A fresh checkout runs with none set: SQLite in the project folder, DEBUG on.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tutoring.env import env_bool, env_choice, env_int, env_list, env_rate, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (for development, set DEBUG=true)."
        )
    # Only ever used with DEBUG on: sessions signed with it are worthless elsewhere.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    # The admin with a rate-limited login (tutoring/admin_site.py).
    "tutoring.apps.TutoringAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI's files for /api/docs from here, not from a CDN
    "csp",
    "channels",
    "tutoring",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the security headers: no session or CSRF work for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before the session and CSRF machinery: the JSON API answers size and media-type
    # errors itself, cheaply, and never needs a cookie session.
    "chat.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# The JSON API and /health are served by a lean handler with only these (tutoring/handlers.py):
# no sessions, CSRF or auth, since the API uses none of them. The first sets the security
# headers and the HTTPS redirect there (tutoring/security.py).
API_MIDDLEWARE = ["tutoring.security.ApiSecurityMiddleware", "chat.middleware.ApiErrorMiddleware"]
# /api/docs and /api/openapi.json: on only when asked for (by default only with DEBUG).
API_DOCS = env_bool("API_DOCS", default=DEBUG)

ROOT_URLCONF = "tutoring.urls"

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

WSGI_APPLICATION = "tutoring.wsgi.application"
ASGI_APPLICATION = "tutoring.asgi.application"

# --- Database -------------------------------------------------------------------------
# SQLite by default. Its configuration is what makes the single-writer rule hold there:
# select_for_update() is a no-op on SQLite, so every atomic block takes the database
# write lock at BEGIN (IMMEDIATE), waiting up to `timeout` seconds for it; WAL lets
# readers proceed while one writer holds the lock. See docs/concurrency.md.
DATABASE_URL = env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
_database = dj_database_url.parse(DATABASE_URL)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", default=30),
        # synchronous=FULL: an acknowledged commit survives power loss, not only a crash.
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA busy_timeout=30000"
        ),
    }
    # Tests start real server processes and many threads against one database, so the
    # test database is a file (tests/settings.py names it), never the in-memory one.
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database["OPTIONS"] = {"connect_timeout": 5}
else:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL.")
# Under daphne all sync code of a process runs on one thread (tutoring/handlers.py), so one
# persistent connection per process serves every request; health checks replace a broken one.
_database["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=300)
_database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels -------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", default="")
# Seconds to wait for a connection to Redis: an unreachable Redis must fail fast, never hold
# a request (tutoring/breaker.py then skips it for a few seconds).
REDIS_CONNECT_TIMEOUT = 1
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_connect_timeout": REDIS_CONNECT_TIMEOUT}]
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Auth, i18n, static -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves /static/ from the apps' folders (no collectstatic needed to run); in
# production nginx may serve `collectstatic`'s output in front of it (docs/production.md).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security ---------------------------------------------------------------------------
# Production defaults; `manage.py check --deploy` passes with DEBUG off. Behind the reverse
# proxy, TLS ends at nginx, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers check each worker's /health over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (django-csp): only the app's own scripts, styles, images and
# sockets. Templates carry no inline script or style (static/chat/chat.js, chat.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Cache and rate limits ------------------------------------------------------------------
# Rate-limit counters live in the cache: Redis when there is one (shared by every process),
# falling back to this process's memory while Redis is unreachable (tutoring/cache.py); else
# this process's memory (one process: `make run`, tests).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tutoring.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_CONNECT_TIMEOUT,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", default=True)
# A counter that cannot be read (a cache hiccup) never refuses a student.
RATELIMIT_FAIL_OPEN = True
# Behind nginx every request comes from 127.0.0.1; nginx passes the client's address in
# X-Real-IP (`proxy_set_header X-Real-IP $remote_addr`), so production sets HTTP_X_REAL_IP.
# A request without that header is counted by its socket address (tutoring/ratelimits.py).
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY", default="REMOTE_ADDR")
# Rates are "<count>/<period>", the period in s, m, h or d, optionally with a multiple
# ("100/5m"). Per chat session and per client address: turns and message posts. A lab of 30
# students behind one address, each sending a message every ten seconds, stays under 300/m.
RATE_LIMIT_SESSION = env_rate("RATE_LIMIT_SESSION", default="30/m")
RATE_LIMIT_CLIENT = env_rate("RATE_LIMIT_CLIENT", default="300/m")
# Admin login attempts per client address.
RATE_LIMIT_ADMIN_LOGIN = env_rate("RATE_LIMIT_ADMIN_LOGIN", default="5/m")
# New chat sessions per client address (a first visit to /, "New conversation", POST
# /api/chat/sessions): a computer lab of 30 students behind one address, each starting over
# twice within five minutes, stays under it; a flood stops after 100.
RATE_LIMIT_SESSION_CREATE = env_rate("RATE_LIMIT_SESSION_CREATE", default="100/5m")
# Other writes to a chat session (API PUT, PATCH, DELETE, reset, token rotation; new device
# links), per session.
RATE_LIMIT_STATE_WRITE = env_rate("RATE_LIMIT_STATE_WRITE", default="60/m")
# POST /api/match per client address.
RATE_LIMIT_MATCH = env_rate("RATE_LIMIT_MATCH", default="60/m")
# WebSocket connections per client address (a lab's tabs all reconnecting after a restart
# stay under it), and catch-up requests ("resume") per chat session over all its sockets.
RATE_LIMIT_SOCKET_CONNECT = env_rate("RATE_LIMIT_SOCKET_CONNECT", default="120/m")
RATE_LIMIT_SOCKET_RESUME = env_rate("RATE_LIMIT_SOCKET_RESUME", default="20/m")

# --- Request limits ---------------------------------------------------------------------
# A JSON body larger than this is refused with 413 before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", default=64 * 1024)

# --- The chat ---------------------------------------------------------------------------
CHAT_MAX_MESSAGE_CHARS = env_int("CHAT_MAX_MESSAGE_CHARS", default=4000)
# How many of the most recent messages a state response carries.
CHAT_STATE_MESSAGES = env_int("CHAT_STATE_MESSAGES", default=50)
# The largest page `GET .../messages?limit=` will return.
CHAT_MAX_PAGE = env_int("CHAT_MAX_PAGE", default=200)
CHAT_GREETING = env_str(
    "CHAT_GREETING",
    default=(
        "Hi! I'm the tutoring center's scheduling assistant. Tell me what you'd like help "
        "with and when — for example “Python on Monday around 10” or “CS 111B online”."
    ),
)
# Seconds a client is told to wait (Retry-After) when the database is unavailable.
DATABASE_RETRY_AFTER = env_int("DATABASE_RETRY_AFTER", default=5)

# --- Chat credentials (chat/credentials.py) ---------------------------------------------------
# A browser's chat cookie expires after this many days without a page visit …
CHAT_COOKIE_IDLE_DAYS = env_int("CHAT_COOKIE_IDLE_DAYS", default=30)
# … and this many days after it was first issued, visits or not.
CHAT_COOKIE_MAX_DAYS = env_int("CHAT_COOKIE_MAX_DAYS", default=90)
if not 1 <= CHAT_COOKIE_IDLE_DAYS <= CHAT_COOKIE_MAX_DAYS:
    raise ImproperlyConfigured(
        "CHAT_COOKIE_IDLE_DAYS must be at least 1 and at most CHAT_COOKIE_MAX_DAYS."
    )
# Secure (HTTPS only) outside development; a Secure chat cookie is named with the __Host-
# prefix, so no subdomain and no plain-HTTP page can set or overwrite it.
CHAT_COOKIE_SECURE = not DEBUG
# A "continue on another device" link can be opened for this many days after it was made.
DEVICE_LINK_DAYS = env_int("DEVICE_LINK_DAYS", default=7)
if DEVICE_LINK_DAYS < 1:
    raise ImproperlyConfigured("DEVICE_LINK_DAYS must be at least 1.")

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One JSON object per line in production (LOG_FORMAT=json, the default with DEBUG off).
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    # Request paths carry session ids and booking uids (django.request logs every 4xx path)
    # and any character a client sends: the filter shortens ids and escapes control
    # characters before a line is written anywhere (tutoring/redaction.py).
    "filters": {"redact": {"()": "tutoring.redaction.RedactLogRecords"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_choice(
                "LOG_FORMAT", choices=["json", "plain"], default="plain" if DEBUG else "json"
            ),
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # Replace Django's default handlers for its loggers, which print unfiltered.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
    },
}

# --- Tutoring: bookings and email -------------------------------------------------------
# The center's wall clock: weekly availability ("Monday 10:00") means 10:00 here, on both
# sides of a daylight-saving change. The same variable as TIME_ZONE, so they cannot differ.
CENTER_TIME_ZONE = TIME_ZONE
# Students may book sessions that start within this many days from now …
BOOKING_HORIZON_DAYS = env_int("BOOKING_HORIZON_DAYS", default=14)
# … but not sooner than this many hours ahead, so the tutor hears of it in time.
BOOKING_MIN_NOTICE_HOURS = env_int("BOOKING_MIN_NOTICE_HOURS", default=2)
# Weekly availability windows are cut into sessions of this many minutes.
TUTORING_SESSION_MINUTES = env_int("TUTORING_SESSION_MINUTES", default=30)
if not 5 <= TUTORING_SESSION_MINUTES <= 240:
    raise ImproperlyConfigured("TUTORING_SESSION_MINUTES must be between 5 and 240.")
# Students give a college address on this domain when they book.
COLLEGE_EMAIL_DOMAIN = env_str("COLLEGE_EMAIL_DOMAIN", default="mail.ccsf.edu")
# The public address of the site, for absolute links in emails (no trailing slash).
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="Tutoring Center <tutoring@example.edu>")
# Mail goes out by SMTP in production. The console backend prints whole emails (names,
# addresses, cancel links) into the log, so it is for DEBUG only.
_CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default=_CONSOLE_EMAIL_BACKEND if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
if EMAIL_BACKEND == _CONSOLE_EMAIL_BACKEND and not DEBUG:
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is the console backend, which writes whole emails (student names, "
        "addresses, cancel links) to the log; with DEBUG off, unset EMAIL_BACKEND (SMTP is "
        "the default) and set EMAIL_HOST to your mail server (with EMAIL_PORT, "
        "EMAIL_HOST_USER, EMAIL_HOST_PASSWORD and EMAIL_USE_TLS as it needs)."
    )
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
if not 1 <= EMAIL_PORT <= 65535:
    raise ImproperlyConfigured(f"EMAIL_PORT={EMAIL_PORT} is not a port (1-65535).")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS (STARTTLS, usually port 587) and EMAIL_USE_SSL (implicit TLS, usually "
        "port 465) exclude each other: set only the one your mail server speaks."
    )
# Seconds before a mail server that does not answer gives up: a booking's email is sent
# after its commit, in the request, so a dead server must not hold the student for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10)
if EMAIL_TIMEOUT < 1:
    raise ImproperlyConfigured("EMAIL_TIMEOUT must be at least 1 second.")
# Where the file-based backend (tests' server processes) writes each email.
if _email_file_path := env_str("EMAIL_FILE_PATH", default=""):
    EMAIL_FILE_PATH = _email_file_path

# --- Retention, reports and reminders -----------------------------------------------------
# purge_chat_sessions removes chat sessions with no activity for this many days (personal
# data in them included), keeping only anonymous daily counts.
CHAT_IDLE_DAYS = env_int("CHAT_IDLE_DAYS", default=90)
if CHAT_IDLE_DAYS < 1:
    raise ImproperlyConfigured("CHAT_IDLE_DAYS must be at least 1.")
# How many weeks the staff report (admin, Bookings › Report) covers unless asked otherwise.
REPORT_WEEKS = env_int("REPORT_WEEKS", default=8)
