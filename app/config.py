"""Configuration defaults; instance/config.py and FLASK_* environment variables override them."""
from datetime import timedelta

# Feature packages: each is a blueprint, may own models, translations and demo data.
FEATURES = ["auth", "admin", "courses", "coaching", "peers", "municipalities", "results", "notifications"]


class Defaults:
    SQLALCHEMY_DATABASE_URI = None  # filled in create_app: DATABASE_URL or instance/mayors.sqlite
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False
    # SQLite: CLI and scheduler transactions take the write lock at BEGIN (see app/core/db.py).
    SQLITE_LOCK_OUTSIDE_REQUESTS = True

    # Sessions and cookies. The secret key: SECRET_KEY (FLASK_SECRET_KEY), else the file SECRET_KEY_FILE
    # (FLASK_SECRET_KEY_FILE), else one generated once into the instance folder (one server only).
    SECRET_KEY_FILE = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(days=30)  # also the absolute lifetime of every signed-in session
    SESSION_IDLE_MINUTES = 120  # sessions without "Keep me signed in" end after this long unused
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Languages and time
    # The interface languages offered: those whose catalogues are complete (`tools/i18n.py check` enforces it).
    LANGUAGES = ["en", "nl", "fr", "hr", "el", "it", "pl", "es"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"

    # Mail
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Mayors in Action <no-reply@mayors-in-action.eu>"
    MAIL_USE_SSL = False  # implicit TLS (port 465); MAIL_USE_TLS is STARTTLS
    MAIL_TIMEOUT = 30
    MAIL_MAX_ATTEMPTS = 8
    MAIL_BATCH_SIZE = 200
    MAIL_RETRY_SECONDS = 60  # first retry after a failure; doubles each time, up to MAIL_RETRY_MAX_SECONDS
    MAIL_RETRY_MAX_SECONDS = 6 * 3600
    MAIL_CLAIM_SECONDS = 600  # a delivery run owns the messages it claimed this long
    # Where people reach the platform: links in mail queued by the scheduler and the command line
    # (app.MiaFlask builds URLs from it when there is no request).
    PUBLIC_URL = "http://127.0.0.1:5000"
    # Host headers served; None: the host of PUBLIC_URL plus loopback (127.0.0.1, localhost, ::1), any port.
    TRUSTED_HOSTS: list[str] | None = None
    # Number of proxies in front whose X-Forwarded-For is trusted for the client address (0: none).
    PROXY_FIX_X_FOR = 0
    PASSWORD_RESET_MINUTES = 60
    # OWASP's scrypt guidance (N=2^17, r=8, p=1: 128 MiB, a fraction of a second); older hashes are made
    # again at this cost on the next sign-in. Tests lower it.
    PASSWORD_HASH_METHOD = "scrypt:131072:8:1"
    API_TOKEN_DAYS = 365  # lifetime of a new API token unless its creator chooses (1-3650 days)
    PASSWORD_MIN_SCORE = 3  # zxcvbn score (0-4) a new password needs; 0 switches the check off

    REMINDER_MINUTES = [1440, 60]
    # Privacy: audit entries (and the IP addresses in them), sent mail and reset links are kept this long.
    RETENTION_MONTHS = 12

    # Rate limits (Flask-Limiter)
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    # Redis down: count in each worker's memory meanwhile (limits stay, sign-in keeps working; /healthz says 503).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = "20 per 10 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "8 per 10 minutes"
    FORGOT_LIMIT_PER_ADDRESS = "10 per hour"  # reset mails asked for, whatever the answer
    FORGOT_LIMIT_PER_ACCOUNT = "3 per hour"

    # Scheduler: only `make run` starts it inside the web process.
    SCHEDULER_IN_PROCESS = False
    SCHEDULER_MISFIRE_GRACE_SECONDS = 3600

    # Bootstrap-Flask: serve Bootstrap from the package, never a CDN.
    BOOTSTRAP_SERVE_LOCAL = True

    # flask-smorest / OpenAPI
    API_TITLE = "Mayors in Action API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    PER_PAGE = 20
    MAX_PER_PAGE = 100
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # Limits per role: a municipality import by anyone but an administrator, and each material file.
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    IMPORT_MAX_ROWS = 5000
    UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    CONTACT_EMAIL = "info@mayors-in-action.eu"
    SERVER_NAME_FOR_UIDS = "mayors-in-action.eu"
