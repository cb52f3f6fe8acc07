"""Settings, read from the environment (django-environ). Production differs by values only."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from core.redis_clients import url_options

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]", "testserver"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    LOG_LEVEL=(str, "INFO"),
    LOG_JSON=(bool, True),
)

# Redis under Sentinel (deploy/): the sentinels' "host:port" list and the name of the primary they
# watch. REDIS_URL then gives only the database number and the password (core.redis_clients).
REDIS_SENTINELS: list[tuple[str, int]] = [
    (address.rsplit(":", 1)[0], int(address.rsplit(":", 1)[1]) if ":" in address else 26379)
    for address in env.list("REDIS_SENTINELS", default=[])
]
REDIS_SENTINEL_MASTER = env("REDIS_SENTINEL_MASTER", default="market")
if REDIS_SENTINELS and not env("REDIS_URL", default=""):
    env.ENVIRON["REDIS_URL"] = f"redis://{REDIS_SENTINEL_MASTER}/0"

if not env("DATABASE_URL", default="") or not env("REDIS_URL", default=""):
    # Any process started outside the launcher (a shell, an IDE's test run) gets the embedded default.
    from config.embedded import ensure_services

    ensure_services()

SECRET_KEY = env("SECRET_KEY", default="django-insecure-dev-key-set-SECRET_KEY-in-production")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "channels",
    "axes",
    "csp",
    "config",
    "core",
    "accounts",
    "listings",
    "marketplace",
    "auctions",
    "conversion",
    "discovery",
    "portal",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "core.middleware.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.static.StaticFilesMiddleware",  # WhiteNoise, its table of files built once per process
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into accounts.lockout's answer.
    "axes.middleware.AxesMiddleware",
]

# Brute-force protection of sign-in (accounts/lockout.py): per username and per address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out attempt before hashing
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_MINUTES", default=15.0) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Behind HAProxy / nginx every request comes from the proxy: the client is the address the
# nearest trusted proxy appended to X-Forwarded-For (accounts.lockout.client_address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
# A socket directory travels percent-encoded in the URL's host (the embedded server uses one).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST") or "")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
# Django's PostgreSQL backend, reading timestamps with psycopg's compiled loader and checking a pooled
# connection by its socket (core/postgresql/).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "core.postgresql"
# The web process (DB_POOL=true: the Procfile's and compose.yaml's web role only) keeps its
# connections in a pool (psycopg_pool, Django's "pool" option): a request or a WebSocket message
# borrows one instead of opening its own, and the connection keeps its cached plans -- a bid on a
# fresh connection costs about three times one on a warm one (bench/live_room.py prints the
# bidder's round trip). Each concurrent request holds one connection (a results CSV download for
# as long as it streams); one that finds none free waits up to DB_POOL_TIMEOUT seconds. Budget:
# web processes x DB_POOL_SIZE, over all hosts, stays under PostgreSQL's max_connections. Celery's
# prefork children and management commands keep plain connections.
# How many requests a web process runs through Django at once (config.asgi); more wait their turn
# on the event loop. Python runs one thread at a time: more threads than this only take the lock
# from each other, and the request holding a database row lock waits longest.
WEB_REQUEST_THREADS = env.int("WEB_REQUEST_THREADS", default=4)
if env.bool("DB_POOL", default=False):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent connections with a pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DB_POOL_SIZE", default=16),
        "timeout": env.float("DB_POOL_TIMEOUT", default=20.0),
    }
    # A pooled connection is checked before a request gets it: one that a PgBouncer or PostgreSQL
    # restart cut is replaced instead of failing the request with a 500. The check looks at the
    # socket and sends the empty query only when the server said something to the idle connection
    # (core.postgresql's pool): psycopg_pool's own, which Django's CONN_HEALTH_CHECKS gives the
    # pool, was a round trip on every request.
# Behind PgBouncer in transaction mode (DB_TRANSACTION_POOLING=true, deploy/): consecutive
# transactions of one Django connection may run on different server connections, so nothing may
# outlive a transaction on the server: no server-side cursors (a named cursor lives until closed)
# and no prepared statements (psycopg prepares a query after 5 runs; PgBouncer before 1.21 cannot
# route them). The market keeps no other session state: its advisory locks are transaction-level
# and its SETs are LOCAL; PgBouncer itself carries TimeZone over from the client.
if env.bool("DB_TRANSACTION_POOLING", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
# The test suite runs in parallel (pytest-xdist): each worker has its own test database, and its
# keys in a shared Redis get their own prefix (cache, channel layer, Celery's queues), inherited by
# the servers and workers the tests start. Pub/sub channels are already named after the database.
REDIS_PREFIX = "market" + (f"-{env('PYTEST_XDIST_WORKER')}" if env("PYTEST_XDIST_WORKER", default="") else "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": REDIS_PREFIX,
        # Short timeouts: a Redis that hangs must not hold a request (core.throttling fails open).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
        | ({"pool_class": "core.redis_clients.SentinelPool"} if REDIS_SENTINELS else {}),
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 reads with a 5 s socket timeout by default, which the layer's own 5 s blocking
        # pop (BZPOPMIN) always reaches: every idle WebSocket consumer would die after 5 s.
        "CONFIG": {
            "hosts": [
                {
                    "sentinels": REDIS_SENTINELS,
                    "master_name": REDIS_SENTINEL_MASTER,
                    "sentinel_kwargs": {"socket_timeout": 1, "socket_connect_timeout": 1},
                    "socket_timeout": 15,
                    **url_options(REDIS_URL),
                }
                if REDIS_SENTINELS
                else {"address": REDIS_URL, "socket_timeout": 15}
            ],
            "prefix": f"{REDIS_PREFIX}:ws",
            "capacity": 1500,
            "expiry": 30,
        },
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "todo"  # 待办: what waits on the person, after signing in
LOGOUT_REDIRECT_URL = "home"

# zh-hans first; Asia/Shanghai for display, UTC in storage.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded files (achievements' attachments, bank receipts, data rooms; checked by core.files) go
# to the filesystem under var/media by default, or to an S3-compatible bucket (django-storages)
# when S3_BUCKET is set. They are served only through views that check who may read them.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"  # never routed: files leave through permission-checked views
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    _default_storage: dict[str, object] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),  # MinIO, OSS, COS...
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its challenge makes an unauthenticated request 401, not 403.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CursorPage",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.negotiation.FormatWins",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's, failing open (with a log line) while Redis is away.
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="600/min"),
        "user": env("THROTTLE_USER", default="6000/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "浙江拍式技术市场 API",
    "DESCRIPTION": (
        "Public interface v1 (see shared/API.md). Errors are always "
        '`{"code", "detail", "fields"}`. Lists are cursor pages `{"results", "next"}`. '
        "Money is a decimal string with two places."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganizationStatusEnum": "accounts.models.Organization.Status",
        # Justification.Status and SelfImplementation.Status: the same pending/accepted/rejected set.
        "DutyReviewStatusEnum": "conversion.models.Justification.Status",
        "OrganizationKindEnum": "accounts.models.Organization.Kind",
        "AchievementKindEnum": "listings.models.Achievement.Kind",
        "FieldEnum": "listings.models.Field",
        "RightsEnum": "listings.models.Rights",
        "ConversionStatusEnum": "listings.models.ConversionStatus",
        "IpTypeEnum": "listings.models.IntellectualProperty.IpType",
        "IpStatusEnum": "listings.models.IntellectualProperty.Status",
        "ListingModeEnum": "listings.models.Listing.Mode",
        "ListingStatusEnum": "listings.models.Listing.Status",
        "InternalApprovalDecisionEnum": "listings.models.InternalApproval.Decision",
        "ReviewDecisionEnum": "core.decisions.REVIEW_API_CHOICES",
        "QuestionKindEnum": "discovery.models.inquiry.Question.Kind",
        "FeedbackReasonEnum": "discovery.models.FeedbackReason",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Celery: Redis broker, database scheduler (django-celery-beat). Periodic jobs are declared here
# and synced into the database by the scheduler at start.
CELERY_BROKER_URL = REDIS_URL
# Under Sentinel kombu's "sentinel" transport asks the sentinels (each a URL, ";"-separated, with
# REDIS_URL's database and password) for the primary named in the transport options.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if REDIS_SENTINELS:
    _redis = url_options(REDIS_URL)
    _auth = (
        f"{quote(_redis.get('username', ''))}:{quote(_redis['password'])}@" if "password" in _redis else ""
    )
    CELERY_BROKER_URL = ";".join(
        f"sentinel://{_auth}{host}:{port}/{_redis.get('db', 0)}" for host, port in REDIS_SENTINELS
    )
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        master_name=REDIS_SENTINEL_MASTER, sentinel_kwargs={"socket_timeout": 1, "socket_connect_timeout": 1}
    )
if REDIS_PREFIX != "market":  # a parallel test worker's own queues (see REDIS_PREFIX)
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{REDIS_PREFIX}:"
CELERY_RESULT_BACKEND = None
# No results are kept, and the "disabled" backend has no state: one for the process. Celery keeps a
# backend it may not share per thread, and Django serves each sync request on a thread of its own
# (asgiref's ThreadSensitiveContext), so every request that sent a task (a bid's outbid notice)
# built a new backend, scanning the installed packages' entry points: a quarter of a REST bid's CPU.
CELERY_RESULT_BACKEND_THREAD_SAFE = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# Late acknowledgement: a task is acknowledged when it has run, so a worker that dies (or whose
# pool process is killed) mid-task leaves it to be delivered again -- at once for a killed pool
# process (reject_on_worker_lost), after the visibility timeout for a whole worker gone. That
# timeout is seconds, not Celery's hour: nothing waits long in Redis unacknowledged, because no
# task is scheduled far ahead (auctions start and close by the sweeper, from the database: see
# auctions/sweeper.py), and the jobs that can run longer than it acknowledge on receipt (their
# schedule repeats them).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int("CELERY_VISIBILITY_TIMEOUT", default=30)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker (or beat) keeps trying to reach the broker for as long as it is away, never giving up
# after Celery's 100 attempts: Redis is news and queues, and its return is awaited, not fatal.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# How long a send (a task from a request's after-commit effects) tries to reach the broker; with
# Redis away a bid's request must not wait Celery's 4 s for it (core.effects.broker_send).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Each app lists its periodic jobs in ``<app>/schedule.py`` (``BEAT_SCHEDULE``, plain data);
# the database scheduler syncs them into django-celery-beat's tables at start.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
for _app in ("accounts", "listings", "marketplace", "auctions", "conversion", "discovery", "portal"):
    try:
        CELERY_BEAT_SCHEDULE.update(__import__(f"{_app}.schedule", fromlist=["BEAT_SCHEDULE"]).BEAT_SCHEDULE)
    except ModuleNotFoundError as _exc:
        if _exc.name != f"{_app}.schedule":
            raise

# Lower apps hand over to higher ones through these named services (core/seams.py).
MARKET_SEAMS: dict[str, str] = {
    "listing_published": "auctions.services.auction_open_for_listing",
    "fixed_price_contested": "auctions.services.auction_open_for_intents",
    "listing_taken_down": "auctions.services.listing_leave_market",
    "listing_withdrawn": "auctions.services.listing_leave_market",
    "achievement_granted": "conversion.services.achievement_clock_set",
    "achievement_converted": "conversion.services.achievement_converted",
    "achievement_conversion_duty": "conversion.selectors.duty.conversion_duty",
    "ties_changed": "auctions.services.registrations_suspend_tied",
    "listing_trade_state": "marketplace.selectors.listing_trade_state",
    "achievement_discovery": "discovery.selectors.disclosure.achievement_discovery",
    "deal_moved": "auctions.services.deal_checkpoint",
}

# The market's Ed25519 signing key for auction-record checkpoints (core/signing.py): a PEM
# PKCS#8 key or the base64 of its 32-byte seed. Unset: a development key under var/ (with DEBUG
# off the system check config.E002 refuses to start). Published at /api/v1/keys/.
MARKET_SIGNING_KEY = env("MARKET_SIGNING_KEY", default="")

# The market's rules: one setting each, enforced by one service (DESIGN.md, "Market rules").
MARKET = {
    "AUCTION_EXTENSION_SECONDS": 300,
    # The live room's per-bidder limit of bids a second (auctions.room, counted in Redis); the
    # bench server of bench/bid_stack.py raises it, as it raises THROTTLE_USER.
    "AUCTION_BID_RATE_PER_SECOND": env.int("AUCTION_BID_RATE_PER_SECOND", default=5),
    "PAYMENT_DUE_WORKING_DAYS": env.int("PAYMENT_DUE_WORKING_DAYS", default=10),
    # A released deposit or an overpayment is paid back within this many working days (the
    # rulebooks allow 3-5); the payer is told the date.
    "REFUND_DUE_WORKING_DAYS": 3,
    "FISCAL_NOTICE_DAYS_MIN": 15,
    "BROKER_SHARE_MIN": "0.05",
    # Platform fee: marginal tiers [up to (yuan, None = the rest), rate], with a minimum fee.
    "PLATFORM_FEE_SCHEDULE": [["1000000.00", "0.03"], ["5000000.00", "0.02"], [None, "0.01"]],
    "PLATFORM_FEE_MINIMUM": "1000.00",
    # Inventors' reward share of the holder's net when the holder has set no policy.
    "INVENTORS_SHARE_DEFAULT": "0.50",
    # Contribution points (贡献积分) a broker earns per settled deal it brought: a base, one more per
    # whole PER_AMOUNT of the price, at most MAX (marketplace.services.brokers.points_for).
    "BROKER_POINTS": {"BASE": 10, "PER_AMOUNT": "100000.00", "MAX": 100},
    # A data room's file links are signed and expire after this many seconds (re-opened, re-signed).
    "DATA_ROOM_LINK_SECONDS": 300,
    # Risk alerts for operators (portal/risk.py): each rule's numbers; "ENABLED": False turns one
    # off. The scan looks at auctions that ended within SCAN_DAYS.
    "RISK_RULES": {
        "SCAN_DAYS": 30,
        "SHARED_MEMBER": {"ENABLED": True},
        "SHARED_ADDRESS": {"ENABLED": True},
        "SHARED_DEVICE": {"ENABLED": True},
        "SHARED_BANK_ACCOUNT": {"ENABLED": True},
        "SHARED_PHONE": {"ENABLED": True},  # organizations' contact phones, compared by their digits
        "BID_JUMP": {"INCREMENTS": 10},  # a bid more than k increments above the price before it
        "BID_BURST": {"BIDS": 10, "SECONDS": 60},  # own bids by one bidder within the seconds
        "NEW_ORGANIZATION_LARGE_BID": {"DAYS": 30, "AMOUNT": "1000000.00"},
        "REPEATED_DEFAULTS": {"COUNT": 2, "DAYS": 365},
        "UNANSWERED_QUESTIONS": {"COUNT": 3},  # questions past their answer's due moment
    },
    # API tokens expire after this many days unless the owner asks for fewer (at most the maximum).
    "API_TOKEN_DAYS": 90,
    "API_TOKEN_MAX_DAYS": 365,
    "USE_FIRST_AFTER_YEARS": 2,
    "FREE_LICENSE_AFTER_YEARS": 3,
    "REGISTRATION_DUE_DAYS": 30,
    # Use-first applications: the holder answers within this many days, or operators see it.
    "USE_FIRST_RESPONSE_DAYS": 15,
    # Both parties are reminded this many days before a use-first agreement's decision date.
    "USE_FIRST_REMINDER_DAYS": 7,
    # Discovery (#15): a question unanswered after this many working days shows on the console and
    # counts against the holder's responsiveness.
    "QUESTION_ANSWER_WORKING_DAYS": 5,
    # Peer review: the public aggregate shows from this many submitted reviews; a deal between
    # the expert's organization and the holder within this many years is a conflict of interest.
    "PEER_REVIEW_MIN_COUNT": 3,
    "EXPERT_DEAL_CONFLICT_YEARS": 3,
    # The valuation band: comparables lose half their weight every this many days; fewer than the
    # minimum gives no band; a listed price outside [low / factor, high * factor] is flagged.
    "VALUATION_HALF_LIFE_DAYS": 730,
    "VALUATION_MIN_COMPARABLES": 3,
    "VALUATION_FLAG_FACTOR": "2",
    # Use reports: the buyer files one a year after a deal, within this many days of the anniversary.
    "USE_REPORT_GRACE_DAYS": 30,
    # Subscriptions: a subscription hears of new items at most once per this many hours.
    "SUBSCRIPTION_INTERVAL_HOURS": 24,
    # Required: with none, every notification is refused, and with DEBUG off nothing starts
    # (system check config.E001). The launcher (dev.py) makes a random one for each run.
    "BANK_WEBHOOK_SECRET": env("BANK_WEBHOOK_SECRET", default=""),
    "BANK_WEBHOOK_WINDOW_SECONDS": 300,
    # Public holidays and make-up working days (调休) for payment deadlines, as the State Council
    # publishes them each year (marketplace/working_days.py); a year not listed counts Mon-Fri.
    "HOLIDAYS": [
        "2026-01-01",
        "2026-01-02",
        "2026-01-03",
        "2026-02-15",
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-02-21",
        "2026-02-22",
        "2026-02-23",
        "2026-04-04",
        "2026-04-05",
        "2026-04-06",
        "2026-05-01",
        "2026-05-02",
        "2026-05-03",
        "2026-05-04",
        "2026-05-05",
        "2026-06-19",
        "2026-06-20",
        "2026-06-21",
        "2026-09-25",
        "2026-09-26",
        "2026-09-27",
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-10-04",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ]
    + env.list("MARKET_HOLIDAYS", default=[]),
    "MAKEUP_WORKDAYS": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    # A newly published year, added by the deployment without a code change (README, Production).
    + env.list("MARKET_MAKEUP_WORKDAYS", default=[]),
    # 流拍后择优报价: how long a best-offer window stays open after the holder opens it.
    "BEST_OFFER_WINDOW_HOURS": env.int("BEST_OFFER_WINDOW_HOURS", default=24),
    # 顺位受让: working days the runner-up has to accept the holder's offer after a default.
    "RUNNER_UP_ACCEPT_WORKING_DAYS": 3,
    "ESCROW_BANK_ACCOUNT": {
        "bank": "中国工商银行杭州分行",
        "account_name": "浙江技术市场资金监管专户",
        "account_no": "1202 0210 0910 0123 456",
    },
}

LOG_LEVEL = env("LOG_LEVEL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"request_id": {"()": "core.middleware.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env("LOG_JSON") else "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "jieba": {"level": "WARNING"},
        # django-axes's start banner ("AXES: BEGIN version ..., blocking by ...", INFO) at every
        # process start: a line in every manage.py command's and bench's output (#17.8). Its login
        # failures and lockouts are logged by its handlers' loggers, which this leaves as they are.
        "axes.apps": {"level": "WARNING"},
    },
}

# Transport and browser hardening. TLS ends at the proxy, which says so in X-Forwarded-Proto.
# With DEBUG off cookies are Secure and HSTS is sent; `manage.py check --deploy` with the README's
# production environment reports nothing.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's plain-HTTP probe
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles and sockets of this origin only. Pages
# keep scripts in files (no inline script or style attribute); the live room's WebSocket is
# same-origin ('self' covers ws:/wss: of this host in CSP 3).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The font of printed documents (成交确认书 PDF): Debian's fonts-wqy-zenhei, which the image installs.
PDF_FONT = env("PDF_FONT", default="/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

# Development and the demo: each e-mail a readable text file under var/mail/ (core.mail); production
# sets EMAIL_BACKEND to django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST_* values.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="core.mail.MailboxBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# The site's address as people reach it: e-mails link to pages with it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="浙江技术市场 <noreply@zjtm.example.cn>")
