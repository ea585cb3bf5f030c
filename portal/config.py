"""Safe defaults. Every key can be overridden by a PORTAL_<KEY> environment variable."""

import base64
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from portal.workdays import OfficeHours

# The checkout: templates, static files, translations and migrations live beside the package.
ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    DATABASE_URL = None  # filled in from the instance folder: SQLite by default
    SECRET_KEY = None  # read from or generated into the instance folder
    DATA_KEY = None  # Fernet key for personal data at rest; generated like the secret key
    UPLOAD_DIR = None  # instance/uploads unless set
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Redis down: count in this process's memory (with a logged warning) rather than fail.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Counted in the database (portal/accounts/throttle.py), so exact across every worker
    # and app server. Only wrong passwords count; registrations count per address.
    LOGIN_RATE_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_RATE_LIMIT_PER_IP = "30 per 15 minutes"
    REGISTER_RATE_LIMIT_PER_IP = "10 per day"
    # A form sent after the sign-in ended is kept this long for the same browser to sign in
    # again (portal/keptforms), and at most this many from one address.
    KEPT_FORM_HOURS = 2
    KEPT_FORM_LIMIT_PER_IP = "10 per hour"

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans_CN", "en")

    # The CSRF token lives as long as the session, so a long form is never lost to a timer.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    # One sign-in lasts at most this long, whatever the cookies say (checked on the server):
    # a resident who ticks "keep me signed in" for 30 days, staff for a working day.
    RESIDENT_SESSION_DAYS = 30
    STAFF_SESSION_HOURS = 10
    # An open page warns this long before its sign-in ends, with a 继续使用 button that
    # starts it again (static/js/session.js): no time limit a person cannot extend.
    SIGN_IN_WARNING_SECONDS = 600
    REMEMBER_COOKIE_NAME = "remember_token"
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    # Strict-Transport-Security outside development mode: one year. 0 turns it off (only for
    # a set-up where the portal is deliberately served over plain HTTP).
    HSTS_MAX_AGE = 365 * 24 * 3600

    # How many reverse proxies (nginx, a load balancer) sit in front of the app: their
    # X-Forwarded-For is then trusted for the visitor's address, which rate limits rely on.
    PROXY_FIX_HOPS = 0

    # /metrics (Prometheus text format): off unless switched on, and then only for these
    # addresses or a scraper sending "Authorization: Bearer <METRICS_TOKEN>".
    METRICS_ENABLED = False
    METRICS_ALLOWED_ADDRESSES = ["127.0.0.1", "::1"]
    METRICS_TOKEN = None

    NOTIFICATION_SENDER = "log"  # or "smtp"
    SMTP_HOST = None
    SMTP_PORT = 25
    SMTP_FROM = "linli@localhost"
    SMTP_TO = "{phone}@sms-gateway.invalid"  # where a resident's messages go, by phone number
    SMTP_USER = None
    SMTP_PASSWORD = None
    SMTP_STARTTLS = False

    OFFICE_NAME = "邻里社区居委会"
    OFFICE_PHONE = "010-6500 0000"
    OFFICE_ADDRESS = "社区服务中心一楼"
    # Open on working days (mainland China's calendar and the office's holiday table): a
    # request's deadline that falls outside these hours moves to the close of its office day.
    OFFICE_HOURS = "09:00-17:00"


def load(app, overrides=None):
    app.config.from_object(Defaults)
    app.config.from_prefixed_env("PORTAL")
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'linli.sqlite3'}"
    if not app.config["UPLOAD_DIR"]:
        app.config["UPLOAD_DIR"] = str(instance / "uploads")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret(instance / "secret_key")
    if not app.config["DATA_KEY"]:
        if str(app.config["DATABASE_URL"]).startswith("postgresql"):
            raise MissingDataKey(MISSING_DATA_KEY)
        app.config["DATA_KEY"] = instance_secret(instance / "data_key", make=fernet_key)
    OfficeHours.parse(app.config["OFFICE_HOURS"])  # a mistyped setting stops the start
    if app.debug or app.config.get("DEVELOPMENT"):
        # Plain http on a developer's machine; Secure cookies everywhere else.
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False


class MissingDataKey(RuntimeError):
    """PostgreSQL means several app servers may share the data: each must have the same key."""


MISSING_DATA_KEY = """\
PORTAL_DATA_KEY is not set, and the database is PostgreSQL.

The data key encrypts the ID numbers in the database. Every app server must use the same one,
so on PostgreSQL Linli will not make up a key of its own on each server. To fix it:
  * a new installation: generate a key once and give the same value to every app server:
      python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'
      export PORTAL_DATA_KEY=<that value>
  * a server that already ran with a generated key: use the one in instance/data_key
      export PORTAL_DATA_KEY="$(cat instance/data_key)"
Keep a copy of the key somewhere safe and apart from the backups: without it the stored ID
numbers cannot be read."""


def fernet_key() -> str:
    """32 random bytes in url-safe base64: the format cryptography's Fernet expects."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def instance_secret(path: Path, make: Callable[[], str] | None = None) -> str:
    """Read a secret from the instance folder, creating it (mode 0600) on first use."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    value = make() if make else secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race; use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
