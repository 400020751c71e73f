import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A missing key must fail loudly in production, not fall back to a known value.
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-only-for-debug")
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # The admin site demands the second factor too (klimaalliance/admin_site.py).
    "klimaalliance.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "klimaalliance",
    "companies",
    "partnerships",
    "emissions",
    "network",
    "api",
    "portal",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    # Cached public pages for visitors without a session cookie, before anything reads
    # sessions, users or CSRF (klimaalliance/caching.py).
    "klimaalliance.caching.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "klimaalliance.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "klimaalliance.wsgi.application"

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
                "django.template.context_processors.i18n",
                "klimaalliance.context_processors.portal",
                "portal.context_processors.tasks",
            ],
        },
    },
]

# The embedded default is a SQLite file so `make run` needs nothing else; CI and
# production set DATABASE_URL to PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    # No JIT compilation: the dashboard's aggregates over thousands of members look costly
    # enough to the planner to be compiled, which took longer (1-2 s) than running them
    # (under 0.1 s; bench/reports.py). A web app's short queries never gain from it.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "klimaalliance.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "after-login"
# Where `after-login` sends everyone: the roof's task list ("My tasks").
START_PAGE = "my-tasks"
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
# Portal sessions are used on shared computers in town halls and companies: the cookie dies
# with the browser, and the server forgets the session SESSION_COOKIE_AGE after it was last
# changed (signing in counts), so a browser that restores its cookies cannot stretch a
# sign-in past a working day. No sliding window: saving every request costs a write each.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Sign-in protection (README "Sign-in protection") ---------------------------------------
# axes checks every authenticate() first; ModelBackend then checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one account from one address pause that pair for 30 minutes.
# Per account *and* address, not either: locking an account on any address would let anyone
# lock a municipality's staff out by typing wrong passwords for them (a denial of service),
# and locking an address alone would lock a whole town hall behind one NAT address. Guessing
# from many addresses is left to the password rules and, for staff, the second factor.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The pause runs from the fifth failure; tries during the pause do not restart it, so the
# time on the message holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# The login form's field is "username" (Django's AuthenticationForm) even though the account
# is the e-mail address; case and spaces must not give an attacker fresh tries.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "klimaalliance.lockouts.lockout_username"
AXES_LOCKOUT_CALLABLE = "klimaalliance.lockouts.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# Keep no record of successful sign-ins (address, browser) – nothing needs it; failed ones
# are deleted once their 30 minutes are over.
AXES_DISABLE_ACCESS_LOG = True
# Behind N reverse proxies the client address is read from X-Forwarded-For; without this
# every visitor would share the proxy's address.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
# Time-based one-time passwords: required for municipal staff and administrators, optional
# for representatives (klimaalliance.two_factor). Wrong codes are throttled by django-otp:
# after n wrong codes the next try waits 2^(n-1) seconds.
OTP_TOTP_ISSUER = "Klimaalliance"
OTP_TOTP_THROTTLE_FACTOR = 1
# The admin may delete a lost device but never see or scan anyone's secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Messages live in the session, so anonymous visitors never get a messages cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["klimaalliance.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Signed PDFs, reports, imports and attachments (klimaalliance/storage.py): outside MEDIA_ROOT,
# so /media/ can never hand them out; only permission-checked views read them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
if Path(PRIVATE_MEDIA_ROOT).resolve().is_relative_to(Path(MEDIA_ROOT).resolve()):
    raise environ.ImproperlyConfigured("PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "klimaalliance.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
# The digital seal on signed PDFs (klimaalliance/seal.py): the PEM files of the roots a seal
# must chain to, and an RFC 3161 timestamp authority. In DEBUG the demo root that
# `manage.py seal_demo_certificate` writes is trusted by default.
SEAL_TRUST_ROOTS = env.list(
    "SEAL_TRUST_ROOTS",
    default=[str(Path(PRIVATE_MEDIA_ROOT) / "seal" / "demo-root.pem")] if DEBUG else [],
)
SEAL_TSA_URL = env.str("SEAL_TSA_URL", default="")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if not DEBUG and EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    # Without an SMTP server, print only the headers: bodies hold invitation links.
    EMAIL_BACKEND = "klimaalliance.log_filters.HeadersOnlyConsoleEmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Klimaalliance <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Mail is sent by Celery workers only (klimaalliance/mail.py); an SMTP server that hangs
# makes a send fail after this many seconds, and the task retries with back-off.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Redis is optional: without it Celery runs every task eagerly in the request and
# the cache lives in process memory.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {
            "BACKEND": "klimaalliance.cache_backend.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            "KEY_PREFIX": "ka",
        }
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With acks_late, a task whose worker was killed outright (kill -9, OOM, lost machine) stays
# unacknowledged in Redis and is handed to another worker once it has been out this long
# (docs/fault-tolerance.md). It must exceed the longest task (CELERY_TASK_TIME_LIMIT), or a
# slow task is started twice; tests that kill workers shorten it.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
}
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "klimaalliance.tasks.record_heartbeat", "schedule": 60.0},
    # Jobs whose broker publish failed at commit time (klimaalliance/outbox.py).
    "sweep-outbox": {"task": "klimaalliance.tasks.sweep_outbox", "schedule": 60.0},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No password, token or e-mail body reaches a log (see klimaalliance/log_filters.py).
    "filters": {
        "scrub_secrets": {"()": "klimaalliance.log_filters.ScrubSecrets"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_secrets"],
        },
        "mail_admins": {
            "class": "klimaalliance.log_filters.ScrubbedAdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "scrub_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Replaces Django's own handlers for these, which would bypass the filter.
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # WeasyPrint logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every successful sign-in and its start-up at INFO; failures and
        # lockouts (WARNING, e-mail and address masked) still come through.
        "axes": {"level": "WARNING"},
    },
}

# Error reports hide every POST field named like a secret, not only declared ones.
DEFAULT_EXCEPTION_REPORTER_FILTER = "klimaalliance.log_filters.PortalExceptionReporterFilter"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# In development whitenoise serves straight from the source folders; in production from
# STATIC_ROOT after `collectstatic`.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
CELERY_BEAT_SCHEDULE["expire-agreements"] = {
    "task": "partnerships.tasks.expire_agreements",
    "schedule": 6 * 60 * 60.0,
}
# Reporting reminders (14 and 3 days before the deadline, overdue): daily at 07:00 local
# time; each reminder is claimed once per report, so an extra run sends nothing twice.
# Notifications collected for people who chose one mail a day (klimaalliance/notifications.py).
CELERY_BEAT_SCHEDULE["send-notification-digests"] = {
    "task": "klimaalliance.tasks.send_notification_digests",
    "schedule": crontab(hour=6, minute=30),
}
# "Your agreement expires within 90 days", once per agreement and end date.
CELERY_BEAT_SCHEDULE["notify-expiring-agreements"] = {
    "task": "partnerships.tasks.notify_expiring_agreements",
    "schedule": crontab(hour=6, minute=45),
}
CELERY_BEAT_SCHEDULE["send-reporting-reminders"] = {
    "task": "emissions.tasks.send_reporting_reminders",
    "schedule": crontab(hour=7, minute=0),
}

# Open data: a read-only JSON API anyone may call, also from other sites' JavaScript.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Klimaalliance open data",
    "DESCRIPTION": "Public data of Danish municipal climate alliances: alliances, partners "
    "and their public pledges.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the sidecar package: nothing is loaded from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# Content Security Policy: nothing from other hosts and no inline scripts or styles. The
# third-party API documentation pages (Swagger UI, ReDoc) carry inline code and are exempt.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs/", "/api/v1/redoc/"],
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
    },
}
