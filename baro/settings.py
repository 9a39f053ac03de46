"""BARO settings, read from the environment.

With nothing set the shop runs on an embedded default: SQLite, the local-memory
cache and database-backed sessions. ``DATABASE_URL`` switches to PostgreSQL and
``REDIS_URL`` to Redis for the cache and the sessions. ``DJANGO_DEBUG=0`` turns on
the production settings, which refuse to start without ``DJANGO_SECRET_KEY``.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0 (production settings)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if not DEBUG else ["*"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "apps.core.admin_config.ShopAdminConfig",  # django.contrib.admin, with the shop's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "apps.core",
    "apps.accounts",
    "apps.accounts.kakao",
    "apps.products",
    "apps.swipe",
    "apps.orders",
    "apps.demo",
    "apps.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.core.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.HtmxMessagesMiddleware",
    # Innermost, so a view's database or Redis fault becomes a 503 before any other
    # middleware sees an exception (apps/core/faults.py; handler500 covers the rest).
    "apps.core.faults.OutageMiddleware",
]

ROOT_URLCONF = "baro.urls"
WSGI_APPLICATION = "baro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        # Loaders are set by template_partials, which wraps the cached loader
        # (the cached loader is used whenever DEBUG is off).
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baro.context_processors.header",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- Database -----------------------------------------------------------------


def postgres_database(url: str, lock_timeout: str, statement_timeout: str) -> dict:
    """A PostgreSQL alias from its URL: persistent connections with health checks, and
    the two time limits as startup options (after any the URL brings, a search_path say)."""
    database = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
    # Django's own backend, with a health check that asks the socket instead of sending
    # SELECT 1 on every request (apps/core/postgresql/base.py).
    database["ENGINE"] = "apps.core.postgresql"
    options = database.setdefault("OPTIONS", {})
    options["options"] = " ".join(
        filter(
            None,
            [
                options.get("options", ""),
                f"-c lock_timeout={lock_timeout}",
                f"-c statement_timeout={statement_timeout}",
            ],
        )
    )
    return database


DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Nothing waits forever: a statement that waits this long for a row lock fails with
    # SQLSTATE 55P03 (a checkout retries once, then says "busy"), and no statement runs
    # longer than DATABASE_STATEMENT_TIMEOUT. The long jobs (seed_demo, the EXPLAIN
    # commands) lift the statement limit for their own connection; "0" turns a limit off.
    DATABASE_LOCK_TIMEOUT = os.environ.get("DATABASE_LOCK_TIMEOUT", "2s")
    DATABASE_STATEMENT_TIMEOUT = os.environ.get("DATABASE_STATEMENT_TIMEOUT", "10s")
    DATABASES = {
        "default": postgres_database(
            DATABASE_URL, DATABASE_LOCK_TIMEOUT, DATABASE_STATEMENT_TIMEOUT
        )
    }
    _options = DATABASES["default"]["OPTIONS"]
    _options.setdefault("connect_timeout", 3)
    # Behind PgBouncer in transaction pooling (DATABASE_TRANSACTION_POOLING=1) a client's
    # statements may run on a different server connection each transaction, so nothing
    # may rest on a session: no server-side cursors (they live across statements), no
    # prepared statements (Django's default for psycopg 3 already), and no startup
    # "options" (PgBouncer refuses them). The two time limits then come from the
    # database itself (ALTER DATABASE ... SET lock_timeout, which `make cluster` does),
    # so every pooled server connection starts with them.
    DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING", False)
    if DATABASE_TRANSACTION_POOLING:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        _options.pop("options")
    # Connected straight to PostgreSQL, a statement that a connection runs often is
    # prepared there (psycopg prepares it on its sixth run): PostgreSQL then skips
    # parsing and planning it, which took half of each small read's time
    # (docs/performance.md). That needs the values sent apart from the statement
    # (server-side binding) and one server session per connection, so never behind
    # PgBouncer in transaction pooling. DATABASE_PREPARED_STATEMENTS=0 turns it off.
    _PREPARED = {"server_side_binding": True, "prepare_threshold": 5}
    _PREPARED_WANTED = env_bool("DATABASE_PREPARED_STATEMENTS", True)
    DATABASE_PREPARED_STATEMENTS = _PREPARED_WANTED and not DATABASE_TRANSACTION_POOLING
    if DATABASE_PREPARED_STATEMENTS:
        _options.update(_PREPARED)
    # A streaming replica for the catalogue, look and feed pages (apps/core/replica.py):
    # the same limits as the primary, a quicker give-up (the primary is the fallback),
    # and in tests the primary itself.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = postgres_database(
            DATABASE_REPLICA_URL, DATABASE_LOCK_TIMEOUT, DATABASE_STATEMENT_TIMEOUT
        )
        # Connected directly, not through a pooler: a replica that stops answering is
        # given up on within seconds (TCP keepalives, an unacknowledged-send limit).
        DATABASES["replica"]["OPTIONS"].update(
            connect_timeout=1,
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=2,
            tcp_user_timeout=5000,
        )
        if _PREPARED_WANTED:  # the replica is never behind the pooler
            DATABASES["replica"]["OPTIONS"].update(_PREPARED)
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
        DATABASE_ROUTERS = ["apps.core.replica.ReplicaRouter"]
        # Innermost, after the outage middleware: a replica fault reaches it first and
        # the page is served again from the primary instead of answering 503.
        MIDDLEWARE.append("apps.core.replica.ReplicaMiddleware")
    # How long after a shopper's own write their pages keep reading the primary, and
    # the replication lag past which nobody reads the replica (seconds).
    BARO_REPLICA_PIN_SECONDS = float(os.environ.get("BARO_REPLICA_PIN_SECONDS", "5"))
else:
    DATABASE_TRANSACTION_POOLING = False
    DATABASE_PREPARED_STATEMENTS = False
    DATABASE_REPLICA_URL = ""
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock when the transaction starts, so
                # concurrent writers wait for each other (up to the timeout)
                # instead of failing with "database is locked" mid-transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
            },
            # A file, not the default shared in-memory database, so tests that race
            # threads see SQLite's real locking (WAL, IMMEDIATE, busy timeout).
            "TEST": {
                "NAME": os.path.join(tempfile.gettempdir(), f"baro-test-{os.getpid()}.sqlite3")
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("BARO_CACHE_PREFIX", "baro")
# With REDIS_SENTINELS ("host:port,host:port,...") REDIS_URL names the Sentinel service
# instead of a server (redis://baro/0): the primary is asked of the Sentinels, and found
# again after a failover.
REDIS_SENTINELS = [
    (host, int(port))
    for host, _, port in (item.rpartition(":") for item in env_list("REDIS_SENTINELS", []))
]
if REDIS_URL:
    _redis_options = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        # Redis on the same network answers in a millisecond; a Redis that has not
        # answered in half a second is treated as down (pages read the database).
        "SOCKET_CONNECT_TIMEOUT": 0.5,
        "SOCKET_TIMEOUT": 0.5,
    }
    _redis_location = REDIS_URL
    if REDIS_SENTINELS:
        _redis_options.update(
            CLIENT_CLASS="django_redis.client.SentinelClient",
            CONNECTION_FACTORY="django_redis.pool.SentinelConnectionFactory",
            SENTINELS=REDIS_SENTINELS,
            SENTINEL_KWARGS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        )
        # The primary only: a replica's copy may lag, and the session store counts on a
        # deleted copy staying deleted (apps/core/sessions.py).
        _redis_location = [f"{REDIS_URL}{'&' if '?' in REDIS_URL else '?'}is_master=1"]
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _redis_location,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": _redis_options,
        },
        # Sessions get their own alias (and key prefix) so clearing or resizing
        # the page cache never logs shoppers out.
        "sessions": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _redis_location,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-session",
            "OPTIONS": _redis_options,
        },
        # Rendered fragments ({% cache %}), keyed by a digest of everything they show,
        # so an entry is never stale, only unused. Each process keeps the ones it used
        # last (apps/core/cache.py), so most reads cost no round trip to Redis.
        "template_fragments": {
            "BACKEND": "apps.core.cache.NearCache",
            "LOCATION": "shared_fragments",
            "TIMEOUT": 60 * 60,
            "OPTIONS": {"MAX_BYTES": 32 * 1024 * 1024},
        },
        # What the processes share. A Redis that does not answer is a miss: the
        # fragment is rendered again, never a 503.
        "shared_fragments": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _redis_location,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-fragment",
            "TIMEOUT": 60 * 60,
            "OPTIONS": {**_redis_options, "IGNORE_EXCEPTIONS": True},
        },
    }
    # Sessions are rows in the database, read through Redis (apps/core/sessions.py): a
    # Redis restart logs nobody out and a Redis outage never reads as "logged out".
    SESSION_ENGINE = "apps.core.sessions"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "baro-default",
        },
        "template_fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "baro-fragments",
            "TIMEOUT": 60 * 60,
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- Background jobs --------------------------------------------------------------------

# Jobs are rows in the shop's own database (django-tasks-db), written in the transaction
# of the change they follow, and run by `manage.py run_worker` (apps/core/jobs.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Auth ------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "swipe:feed"
LOGOUT_REDIRECT_URL = "swipe:feed"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # Loads the logged-in shopper on every request; it checks no passwords
    # (apps/accounts/backends.py).
    "apps.accounts.backends.SessionBackend",
]

# Accounts are django-allauth's (apps/accounts/adapters.py): email and password, with
# Kakao as a way in when KAKAO_CLIENT_ID and KAKAO_CLIENT_SECRET are set.
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_FORMS = {
    "signup": "apps.accounts.forms.SignupForm",
    "login": "apps.accounts.forms.LoginForm",
}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset for an unknown address mails nobody
# "optional": a confirmation link is mailed, and shopping does not wait for it;
# "mandatory" holds the first log-in until the link is followed; "none" sends none.
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("BARO_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "BARO · "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Guessing is throttled in the cache (allauth's rate limits): failed log-ins per
# account and per address, sign-ups and password resets per address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("BARO_RATE_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": os.environ.get("BARO_RATE_SIGNUP", "5/10m/ip"),
    "reset_password": os.environ.get("BARO_RATE_RESET_PASSWORD", "5/10m/ip,3/10m/key"),
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
}
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link works for three hours

KAKAO_CLIENT_ID = os.environ.get("KAKAO_CLIENT_ID", "")
KAKAO_CLIENT_SECRET = os.environ.get("KAKAO_CLIENT_SECRET", "")
# Kakao's endpoints; the tests point them at a stand-in on loopback.
KAKAO_AUTHORIZE_URL = os.environ.get(
    "KAKAO_AUTHORIZE_URL", "https://kauth.kakao.com/oauth/authorize"
)
KAKAO_TOKEN_URL = os.environ.get("KAKAO_TOKEN_URL", "https://kauth.kakao.com/oauth/token")
KAKAO_PROFILE_URL = os.environ.get("KAKAO_PROFILE_URL", "https://kapi.kakao.com/v2/user/me")
SOCIALACCOUNT_PROVIDERS = {
    "kakao": {
        "APPS": (
            [{"client_id": KAKAO_CLIENT_ID, "secret": KAKAO_CLIENT_SECRET}]
            if KAKAO_CLIENT_ID and KAKAO_CLIENT_SECRET
            else []
        ),
        "SCOPE": ["account_email", "profile_nickname"],
    }
}
SOCIALACCOUNT_EMAIL_REQUIRED = True
# An email Kakao has verified logs in at once; any other (one Kakao has not verified,
# or one typed on the "one more step" page) is confirmed by its link first, so nobody
# can take an address by signing up with Kakao before its owner does.
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
SOCIALACCOUNT_AUTO_SIGNUP = True
# An account found by a Kakao login's email is not logged in by it: the shopper logs
# in with their password first, then connects Kakao (My account, "Kakao log-in").
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 5

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ------------------------------------------------------------

LANGUAGE_CODE = "en"
TIME_ZONE = "Asia/Seoul"
# The shop speaks English only: no LocaleMiddleware, no catalogues of its own, and the
# English catalogues installed (Django's, allauth's) hold no translations, so the pages
# are the same with translation off. Off, the active language is read from this setting,
# not from a context-local, for every number and date a template formats and every URL
# it reverses (docs/performance.md). A second language would turn it on again, with
# LocaleMiddleware.
USE_I18N = False
USE_TZ = True

# --- Static and media files ----------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded and demo images are served by Django itself unless BARO_SERVE_MEDIA=0
# (then a storage backend or the front proxy serves /media/).
SERVE_MEDIA = env_bool("BARO_SERVE_MEDIA", True)
# Routes /bench/bare, the load benchmark's "framework ceiling" view.
BARO_BENCH = env_bool("BARO_BENCH", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "apps.core.storage.StaticFilesStorage"
        )
    },
}

# --- TSID ----------------------------------------------------------------------------

# The node id of this process (0-1023). Unset: a random draw per process, and
# gunicorn workers get distinct nodes from gunicorn.conf.py.
BARO_TSID_NODE = os.environ.get("BARO_TSID_NODE")

# --- Security ------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from <body hx-headers>, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Messages travel in an encrypted cookie the browser cannot read (apps/core/messages.py).
MESSAGE_STORAGE = "apps.core.messages.SealedCookieStorage"

# X-Forwarded-Proto (is this request HTTPS?) and X-Forwarded-For (the client's address,
# which the log-in limits count by) are believed only when DJANGO_BEHIND_PROXY says a
# proxy in front sets them; anyone can send them to a server that faces the world.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ALLAUTH_TRUSTED_PROXY_COUNT = 1

# Content-Security-Policy (django-csp): scripts, styles, fonts and pictures from this
# site only, nothing inline; forms post here (and a Kakao log-in goes on to Kakao).
_kakao_origin = "/".join(KAKAO_AUTHORIZE_URL.split("/")[:3])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF, _kakao_origin],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Email and logging ----------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "BARO <shop@baro.local>")
# For the SMTP backend (django.core.mail.backends.smtp.EmailBackend) and the file one.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10  # a job that talks to a mail server that hangs fails and is retried
EMAIL_FILE_PATH = os.environ.get("DJANGO_EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
