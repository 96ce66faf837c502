"""Configuration from the environment (see the README and CONTRACT.md)."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = REPO_ROOT / "instance"


# How long a staff sign-in lasts at most, remembered or not.
LOGIN_LIFETIME = timedelta(days=14)

# Werkzeug's own default, slow on purpose (about half a second here): a stolen database gives up
# its passwords slowly. Not read from the environment, so that no deployment weakens it by mistake.
# (Bandit takes the name for a hard-coded password: it is the name of a hash method.)
PASSWORD_HASH_METHOD = "scrypt"  # nosec B105


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def database_url(url: str | None) -> str:
    """Default to the embedded SQLite database; accept plain `postgresql://` URLs too."""
    if not url:
        return f"sqlite:///{INSTANCE_PATH / 'workshop.db'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/secret_key."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance_path: Path) -> dict:
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL")),
        # No pool_pre_ping: it costs a round trip on every request; a connection left unused
        # a while is tried instead (workshop/__init__.py, _ping_if_idle).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # Where the static files are written under their hashed names (workshop/assets.py).
        "STATIC_BUILD_FOLDER": os.environ.get("STATIC_BUILD_FOLDER") or str(REPO_ROOT / "build" / "static"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        # Mail counts as set up once a server is named: the default localhost:25 of a machine
        # with no mail server is the usual reason why no invitation e-mail ever arrives.
        "MAIL_CONFIGURED": bool((os.environ.get("MAIL_SERVER") or "").strip()),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "hoithao@localhost"),
        "REDIS_URL": redis_url,
        "BASE_URL": (os.environ.get("BASE_URL") or "").rstrip("/") or None,
        "WORKSHOP_LOCALE": os.environ.get("WORKSHOP_LOCALE", "vi"),
        # How many reverse proxies (nginx) stand in front: their X-Forwarded-* headers are then
        # believed, so that rate limits count each phone's address, not the proxy's.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0") or 0),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", False),
        # Flask-Login's "Ghi nhớ đăng nhập": a new value at every sign-in, ended at sign-out
        # (auth.services.start_login); as long as a sign-in lasts, with the session's flags
        # (REMEMBER_COOKIE_SECURE follows SESSION_COOKIE_SECURE, see create_app).
        "REMEMBER_COOKIE_DURATION": LOGIN_LIFETIME,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_HASH_METHOD": PASSWORD_HASH_METHOD,
    }
