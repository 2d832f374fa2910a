"""BreachDesk settings, read from the environment.

Every variable is documented in README.md and `.env.example`. With nothing set
the app runs on SQLite and an embedded broker under ``DATA_DIR``; production
switches on ``DATABASE_URL``, ``REDIS_URL`` and ``SMTP_HOST``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from breachdesk.env import envbool, envint, envlist, envmap, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(envstr("DATA_DIR") or BASE_DIR / "var").resolve()

DEBUG = envbool("DEBUG", False)

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    SECRET_KEY = "insecure-development-key-only-used-when-debug-is-on"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off (the host names users type)."
    )
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Where people outside reach BreachDesk: acknowledgement links in emails use it.
# In development it follows PORT, the port `make run` serves on.
_DEVELOPMENT_SITE_URL = f"http://127.0.0.1:{envint('PORT', 8000)}"
SITE_URL = envstr("SITE_URL", _DEVELOPMENT_SITE_URL if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off (e.g. https://breachdesk.example.com): "
        "the links in notices point there."
    )
# Four eyes on outside notices: the person who approves a notice must not be the
# person who drafted or last edited it.
NOTICE_FOUR_EYES = envbool("NOTICE_FOUR_EYES", True)
# A partner notice not acknowledged this many hours after sending alerts its
# incident's commander, once.
ACK_ALERT_HOURS = envint("ACK_ALERT_HOURS", 48)
if ACK_ALERT_HOURS < 1:
    raise ImproperlyConfigured(f"ACK_ALERT_HOURS={ACK_ALERT_HOURS} must be at least 1.")
# Reminders go out this many hours before each deadline (and once when overdue).
REMINDER_OFFSETS_HOURS = [int(h) for h in envlist("REMINDER_OFFSETS_HOURS", "24,4,1")]
# Vendor questionnaires: a chaser every QUESTIONNAIRE_CHASER_HOURS until the vendor
# answers; from QUESTIONNAIRE_ESCALATION_HOURS after the first chaser, chasers go to
# all the vendor's contacts and the commander is told. The link works for
# QUESTIONNAIRE_LINK_DAYS after sending; one link takes at most
# QUESTIONNAIRE_POSTS_PER_HOUR saves and submissions an hour.
QUESTIONNAIRE_CHASER_HOURS = envint("QUESTIONNAIRE_CHASER_HOURS", 24)
QUESTIONNAIRE_ESCALATION_HOURS = envint("QUESTIONNAIRE_ESCALATION_HOURS", 24)
QUESTIONNAIRE_LINK_DAYS = envint("QUESTIONNAIRE_LINK_DAYS", 30)
QUESTIONNAIRE_POSTS_PER_HOUR = envint("QUESTIONNAIRE_POSTS_PER_HOUR", 30)
for _name, _value, _low, _high in (
    ("QUESTIONNAIRE_CHASER_HOURS", QUESTIONNAIRE_CHASER_HOURS, 1, 24 * 30),
    ("QUESTIONNAIRE_ESCALATION_HOURS", QUESTIONNAIRE_ESCALATION_HOURS, 1, 24 * 30),
    ("QUESTIONNAIRE_LINK_DAYS", QUESTIONNAIRE_LINK_DAYS, 1, 366),
    ("QUESTIONNAIRE_POSTS_PER_HOUR", QUESTIONNAIRE_POSTS_PER_HOUR, 1, 10_000),
):
    if not _low <= _value <= _high:
        raise ImproperlyConfigured(f"{_name}={_value} must be from {_low} to {_high}.")
# Webhook and chat URLs inside the network (loopback, link-local, private,
# reserved) are refused unless this is on, for receivers on the same network.
WEBHOOK_ALLOW_PRIVATE = envbool("WEBHOOK_ALLOW_PRIVATE", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    # The incident search's tsvector field and query (PostgreSQL; unused on SQLite).
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    # Inventory history: who changed a vendor, engagement, asset or stakeholder.
    "simple_history",
    "axes",
    # The REST API (/api/v1/), its OpenAPI schema and the reference page's assets.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Two-factor sign-in: TOTP devices and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "breachdesk",
    "incidents",
    "vendors",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tells whether this session passed a second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # Before the session timeouts, which tell htmx refreshes from activity.
    "django_htmx.middleware.HtmxMiddleware",
    "breachdesk.middleware.SessionTimeoutMiddleware",
    # Need-to-know starts at the door: every view requires a signed-in user
    # unless it is explicitly marked @login_not_required. Ours sends htmx
    # requests and posts back to their page after signing in.
    "breachdesk.middleware.LoginRequiredMiddleware",
    # Users in a REQUIRE_2FA_ROLES role enrol a second factor before anything else.
    "breachdesk.middleware.TwoFactorRequiredMiddleware",
    # ... and a role: a signed-in user in no role is asked to get one.
    "breachdesk.middleware.RoleRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "breachdesk.middleware.UserTimeZoneMiddleware",
    # Lets inventory history name the signed-in person who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "breachdesk.urls"
WSGI_APPLICATION = "breachdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "breachdesk.context_processors.access",
            ],
        },
    },
]
# Form templates through Jinja2 where Django ships them (breachdesk/form_renderer.py).
FORM_RENDERER = "breachdesk.form_renderer.FormRenderer"

# Database. SQLite runs in IMMEDIATE mode with a busy timeout so that writers
# queue up instead of failing, which keeps select_for_update()'s guarantee
# (a no-op on SQLite) true in practice.
_SQLITE_DEFAULT = f"sqlite:///{DATA_DIR / 'breachdesk.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL") or _SQLITE_DEFAULT,
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    # Tests use a file rather than memory: the browser tests' live server
    # answers htmx requests on several threads, and an in-memory database is
    # one connection shared between them. The process id keeps two test runs
    # on one machine apart.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "breachdesk.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permissions and groups from the shared cache (breachdesk/grants.py); signs nobody in.
    "breachdesk.grants.CachedGrantsBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Answers only the OpenID Connect callback, and only when OIDC is configured.
    "breachdesk.sso.OIDCRoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A session ends after SESSION_IDLE_HOURS without activity (htmx refreshes do
# not count, so a workspace left open on a screen does not stay signed in) and
# SESSION_MAX_HOURS after sign-in, however active; see SessionTimeoutMiddleware.
SESSION_IDLE_HOURS = envint("SESSION_IDLE_HOURS", 12)
SESSION_MAX_HOURS = envint("SESSION_MAX_HOURS", 7 * 24)
if SESSION_IDLE_HOURS < 1:
    raise ImproperlyConfigured(f"SESSION_IDLE_HOURS={SESSION_IDLE_HOURS} must be at least 1.")
if SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured(f"SESSION_MAX_HOURS={SESSION_MAX_HOURS} must be at least 1.")
if SESSION_IDLE_HOURS > SESSION_MAX_HOURS:
    raise ImproperlyConfigured(
        f"SESSION_IDLE_HOURS={SESSION_IDLE_HOURS} is longer than "
        f"SESSION_MAX_HOURS={SESSION_MAX_HOURS}; a session cannot stay idle longer than it lives."
    )
# The cookie need not outlive the longest session.
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

# django-axes: five wrong passwords for one account from one address lock that
# pair for a while. Locking the pair (not the account alone) stops a stranger
# from locking a commander out in the middle of an incident.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind N reverse proxies the client address is the N-th from the right in
# X-Forwarded-For; with no proxy only REMOTE_ADDR can be trusted.
PROXY_COUNT = envint("PROXY_COUNT", 0)
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# The names of the four roles (breachdesk/roles.py, which cannot be imported
# before the apps are loaded; a test keeps the two lists the same).
ROLE_NAMES = ("Commander", "Legal", "Responder", "Viewer")


def _roles_setting(name: str, values) -> None:
    unknown = sorted(set(values) - set(ROLE_NAMES))
    if unknown:
        raise ImproperlyConfigured(
            f"{name} names {', '.join(unknown)}, which is no role; "
            f"the roles are {', '.join(ROLE_NAMES)}."
        )


# Single sign-on with OpenID Connect (mozilla-django-oidc reads the OIDC_*
# names). Off unless OIDC_RP_CLIENT_ID is set; then the provider's endpoints
# are required. The sign-in page then offers both the provider and the local
# form, which stays for break-glass accounts.
OIDC_RP_CLIENT_ID = envstr("OIDC_RP_CLIENT_ID")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = envsecret("OIDC_RP_CLIENT_SECRET")
OIDC_OP_ISSUER = envstr("OIDC_OP_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = envstr("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = envstr("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = envstr("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = envstr("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = envstr("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = envstr("OIDC_RP_SCOPES", "openid email profile")
OIDC_PROVIDER_NAME = envstr("OIDC_PROVIDER_NAME", "single sign-on")
# The claim that carries the user's groups, and which of its values gives which role.
OIDC_ROLE_CLAIM = envstr("OIDC_ROLE_CLAIM", "groups")
OIDC_ROLE_MAP = envmap("OIDC_ROLE_MAP")
_roles_setting("OIDC_ROLE_MAP", OIDC_ROLE_MAP.values())
if OIDC_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_ISSUER",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(
            "OIDC_RP_CLIENT_ID is set, so single sign-on is on; "
            f"it also needs {', '.join(_missing)}."
        )
# PKCE and a nonce on every request; a provider that stalls fails the sign-in, not a worker.
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = 10
# Our own sign-in and callback views (breachdesk/sso.py) take these names.
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"

# Two-factor sign-in (django-otp). Users in these roles must enrol a second
# factor before they may do anything else.
REQUIRE_2FA_ROLES = envlist("REQUIRE_2FA_ROLES")
_roles_setting("REQUIRE_2FA_ROLES", REQUIRE_2FA_ROLES)
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = "BreachDesk"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# English only for now (DESIGN.md): every text still goes through the
# translation functions, but without the machinery behind them, as Django
# advises when nothing is translated (docs: settings, USE_I18N). Looking up
# each of the ~500 texts of a workspace page in the catalogues cost about a
# tenth of its time (issue 16's load run). Set True with the first translation.
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded evidence and prepared PDF reports, through the storage API (never
# served by URL: downloads go through views that check access and record them).
MEDIA_ROOT = DATA_DIR / "media"
EVIDENCE_MAX_MB = envint("EVIDENCE_MAX_MB", 25)
if not 1 <= EVIDENCE_MAX_MB <= 2_048:
    raise ImproperlyConfigured(f"EVIDENCE_MAX_MB={EVIDENCE_MAX_MB} must be from 1 to 2048.")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Email. Without SMTP_HOST each message is written to DATA_DIR/mail as an .eml
# file that a developer opens in a mail client; `check --deploy` refuses that
# backend in production.
_SMTP_HOST = envstr("SMTP_HOST")
if _SMTP_HOST:
    _MAILER = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _SMTP_HOST,
            "port": envint("SMTP_PORT", 587),
            "username": envstr("SMTP_USER"),
            "password": envsecret("SMTP_PASSWORD"),
            "use_tls": envbool("SMTP_TLS", True),
            "use_ssl": envbool("SMTP_SSL", False),
            # A stalled SMTP server must not hold a worker forever.
            "timeout": 30,
        },
    }
else:
    _MAILER = {
        "BACKEND": "breachdesk.mail.EmlFileBackend",
        "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
    }
MAILERS = {"default": _MAILER}
DEFAULT_FROM_EMAIL = envstr("EMAIL_FROM", "BreachDesk <breachdesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. The CSP allows scripts only from our own origin or with the
# per-request nonce, never inline code or eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = True
    # Load balancers probe /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Celery. Without REDIS_URL the broker is kombu's filesystem transport under
# DATA_DIR: web, worker and beat on one machine share it with no service.
REDIS_URL = envstr("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost/"
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(DATA_DIR / "celery" / "queue"),
        "data_folder_out": str(DATA_DIR / "celery" / "queue"),
        "processed_folder": str(DATA_DIR / "celery" / "processed"),
        "control_folder": str(DATA_DIR / "celery" / "control"),
        "store_processed": False,
        # The filesystem broker is polled: every 0.2 s rather than kombu's 1 s,
        # so a queued notice leaves within a fraction of a second.
        "polling_interval": 0.2,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The cache holds only counters that may be lost (the questionnaire link's rate
# limit): in Redis when there is one, so that every web process counts together;
# in each process's memory otherwise (the one-machine default).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "breachdesk-cache",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions and each user's permissions and groups (breachdesk/grants.py) are
# read from the cache, saving three or four queries a page, when the cache is
# one that every process shares; a per-process cache could not be told of a
# revoked role or a signed-out session in another process.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
GRANTS_CACHE_SECONDS = envint("GRANTS_CACHE_SECONDS", 300) if REDIS_URL else 0
if not 0 <= GRANTS_CACHE_SECONDS <= 86_400:
    raise ImproperlyConfigured(
        f"GRANTS_CACHE_SECONDS={GRANTS_CACHE_SECONDS} must be from 0 to 86400."
    )
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge after the task ran, so a killed worker's task is redelivered;
# tasks are idempotent (they claim rows) so a redelivery does no harm.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# How often beat proves it is alive (seconds); a test of `make run` shortens it.
HEARTBEAT_SECONDS = envint("HEARTBEAT_SECONDS", 30)
if HEARTBEAT_SECONDS < 1:
    raise ImproperlyConfigured(f"HEARTBEAT_SECONDS={HEARTBEAT_SECONDS} must be at least 1.")
# How often beat runs the reminder and outbox sweeps (seconds). A minute in
# production; the fault tests shorten it to watch two beats race in seconds.
SWEEP_SECONDS = envint("SWEEP_SECONDS", 60)
if SWEEP_SECONDS < 1:
    raise ImproperlyConfigured(f"SWEEP_SECONDS={SWEEP_SECONDS} must be at least 1.")
# A sweep still waiting for a worker when the next one is due is dropped: the next does its work.
_SWEEP_EXPIRES = max(SWEEP_SECONDS * 5 // 6, 1)
CELERY_BEAT_SCHEDULE = {
    # Every HEARTBEAT_SECONDS: proves that beat ticks and a worker picks the task up.
    "record-heartbeat": {
        "task": "breachdesk.tasks.heartbeat_record_task",
        "schedule": float(HEARTBEAT_SECONDS),
        "options": {"expires": max(HEARTBEAT_SECONDS - 5, 1)},
    },
    # Every SWEEP_SECONDS: reminders before deadlines, escalations after, overdue tasks.
    "sweep-deadline-reminders": {
        "task": "incidents.tasks.deadlines_sweep_task",
        "schedule": float(SWEEP_SECONDS),
        "options": {"expires": _SWEEP_EXPIRES},
    },
    # Every SWEEP_SECONDS: chasers to vendors who have not answered a questionnaire.
    "sweep-questionnaire-chasers": {
        "task": "incidents.tasks.questionnaires_sweep_task",
        "schedule": float(SWEEP_SECONDS),
        "options": {"expires": _SWEEP_EXPIRES},
    },
    # Every SWEEP_SECONDS: publish notices the broker lost, flag sends a dead worker left.
    "sweep-notification-outbox": {
        "task": "incidents.tasks.notifications_sweep_task",
        "schedule": float(SWEEP_SECONDS),
        "options": {"expires": _SWEEP_EXPIRES},
    },
    # Every SWEEP_SECONDS: webhook deliveries whose next try is due, or that the broker lost.
    "sweep-webhook-outbox": {
        "task": "integrations.tasks.webhooks_sweep_task",
        "schedule": float(SWEEP_SECONDS),
        "options": {"expires": _SWEEP_EXPIRES},
    },
    # Hourly: one-time form tokens older than any session, and expired sessions.
    "purge-expired-rows": {
        "task": "breachdesk.tasks.housekeeping_purge_task",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}

# The REST API (README "API"). A personal token (preferences page) in
# "Authorization: Bearer", or the browser's session on the reference page.
# Throttles count in the default cache (local memory per process unless a
# shared cache is configured).
API_THROTTLE_PER_TOKEN = envstr("API_THROTTLE_PER_TOKEN", "600/minute")
API_THROTTLE_ANONYMOUS = envstr("API_THROTTLE_ANONYMOUS", "60/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "breachdesk.api.authentication.ApiTokenAuthentication",
        "breachdesk.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "breachdesk.api.permissions.HasRole",
        "breachdesk.api.permissions.TokenMayWrite",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "breachdesk.api.throttles.TokenRateThrottle",
        "breachdesk.api.throttles.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": API_THROTTLE_PER_TOKEN,
        "anonymous": API_THROTTLE_ANONYMOUS,
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "breachdesk.api.views.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BreachDesk API",
    "DESCRIPTION": (
        "Incidents, their timelines, deadlines and notices, the vendor inventory and the "
        "what-if clocks, under the same access rules as the pages. Authenticate with a "
        "personal API token (Preferences): Authorization: Bearer bd_…"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": [
        "breachdesk.api.permissions.HasRole",
        "breachdesk.api.permissions.TokenMayWrite",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VendorStatus": "vendors.models.VendorStatus",
        "VendorTier": "vendors.models.VendorTier",
        "EngagementStatus": "vendors.models.EngagementStatus",
        "StakeholderKind": "vendors.models.StakeholderKind",
        "DataAssetKind": "vendors.models.DataAssetKind",
        "DataAssetClassification": "vendors.models.DataAssetClassification",
        "DeadlineStatus": "incidents.models.DeadlineStatus",
        "NotificationStatus": "incidents.models.NotificationStatus",
        "NotificationKind": "incidents.models.NotificationKind",
        "TimelineKind": "incidents.models.TimelineKind",
        # What a form may set: "paused" comes only from pausing an engagement.
        "VendorStatusSettable": "vendors.api.VENDOR_STATUS_SETTABLE",
        "EngagementStatusSettable": "vendors.api.ENGAGEMENT_STATUS_SETTABLE",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "filters": {"beat_outage": {"()": "breachdesk.log_filters.BeatOutageFilter"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO").upper()},
    # Axes announces itself at INFO on every start; failed sign-ins stay at WARNING.
    "loggers": {
        # Replaces Django's own console handler, which would print everything twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        # While the broker is away, one line per outage instead of a traceback per task per tick.
        "celery.beat": {"filters": ["beat_outage"]},
    },
}
