"""One Settings object: every environment variable the app reads, with safe defaults for embedded mode."""

from __future__ import annotations

import ipaddress
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from printer_app.i18n import LANGUAGES
from printer_app.services.access.proxy import IPNetwork, origin_of

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_NAMESPACE = re.compile(r"[A-Za-z0-9_.-]{1,40}")


class Settings(BaseSettings):
    """Configuration read from the environment and an optional `.env` file."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    data_dir: Path = Field(default=PROJECT_ROOT / "data", alias="DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    # Prefix of this deployment's Redis keys and pub/sub channel (see `namespace`): set it when two deployments
    # share one Redis database; every backend, worker and scheduler of a deployment must use the same value.
    redis_namespace: str | None = Field(default=None, alias="REDIS_NAMESPACE")
    # Dramatiq's RedisBroker: a worker process silent this long (ms) is presumed dead, and the messages it had taken
    # go back to their queue at the next queue maintenance, which each broker command runs with a chance of
    # DRAMATIQ_MAINTENANCE_CHANCE in a million. A live worker process heartbeats about once a second (its idle
    # consumers fetch, the delay-queue consumers even while every thread is busy), so 30 s never mistakes a live one
    # for dead. Each worker process fetches from its queue about once a second; at 20 % the queue is maintained
    # within 5 s on average, 21 s in 99 cases of 100 with a single worker process: a killed worker's messages run
    # again 30-50 s after it died. Maintenance without a dead worker is two small sorted-set reads.
    dramatiq_heartbeat_timeout_ms: int = Field(default=30_000, ge=1_000, alias="DRAMATIQ_HEARTBEAT_TIMEOUT_MS")
    dramatiq_maintenance_chance: int = Field(default=200_000, ge=1, le=1_000_000, alias="DRAMATIQ_MAINTENANCE_CHANCE")
    secret_key: str | None = Field(default=None, alias="SECRET_KEY")
    time_zone: str = Field(default="Asia/Irkutsk", alias="TIME_ZONE")
    default_language: str = Field(default="en", alias="DEFAULT_LANGUAGE")  # of new users and the sign-in page

    poll_interval_minutes: int = Field(default=60, ge=1, alias="POLL_INTERVAL_MINUTES")
    # Embedded mode: the app process also runs the scheduler (scheduled polls, daily maintenance). Off for a test
    # server, whose printers must not be polled by the clock in the middle of a test.
    embedded_scheduler: bool = Field(default=True, alias="EMBEDDED_SCHEDULER")
    max_queue_size: int = Field(default=10_000, ge=1, alias="MAX_QUEUE_SIZE")
    retention_days: int = Field(default=90, ge=1, alias="RETENTION_DAYS")
    anomaly_check_time_window_hours: int = Field(default=24, alias="ANOMALY_CHECK_TIME_WINDOW_HOURS")
    anomaly_skip_check_days: int = Field(default=30, alias="ANOMALY_SKIP_CHECK_DAYS")
    anomaly_jump_threshold: int = Field(default=5000, alias="ANOMALY_JUMP_THRESHOLD")
    auto_lock_freshness_days: int = Field(default=7, alias="AUTO_LOCK_FRESHNESS_DAYS")
    snmp_timeout: float = Field(default=2.0, gt=0, alias="SNMP_TIMEOUT")
    snmp_retries: int = Field(default=1, ge=0, alias="SNMP_RETRIES")
    allow_loopback_targets: bool = Field(default=False, alias="ALLOW_LOOPBACK_TARGETS")

    oidc_issuer: str | None = Field(default=None, alias="OIDC_ISSUER")
    oidc_client_id: str | None = Field(default=None, alias="OIDC_CLIENT_ID")
    oidc_client_secret: str | None = Field(default=None, alias="OIDC_CLIENT_SECRET")
    oidc_scopes: str = Field(default="openid profile email", alias="OIDC_SCOPES")
    oidc_redirect_uri: str | None = Field(default=None, alias="OIDC_REDIRECT_URI")
    session_lifetime_days: int = Field(default=7, ge=1, alias="SESSION_LIFETIME_DAYS")
    login_failures_per_account: int = Field(default=5, ge=1, alias="LOGIN_FAILURES_PER_ACCOUNT")
    login_failures_per_address: int = Field(default=20, ge=1, alias="LOGIN_FAILURES_PER_ADDRESS")
    login_failure_window_minutes: int = Field(default=15, ge=1, alias="LOGIN_FAILURE_WINDOW_MINUTES")
    login_slowdown_seconds: int = Field(default=30, ge=1, alias="LOGIN_SLOWDOWN_SECONDS")

    app_url: str | None = Field(default=None, alias="APP_URL")
    allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field(default=(), alias="ALLOWED_ORIGINS")
    trusted_proxies: Annotated[tuple[IPNetwork, ...], NoDecode] = Field(default=(), alias="TRUSTED_PROXIES")
    cookie_secure: bool | None = Field(default=None, alias="COOKIE_SECURE")
    # JSON API: requests per minute per token (or per signed-in browser), with bursts of up to api_rate_burst.
    api_rate_per_minute: int = Field(default=600, ge=1, alias="API_RATE_PER_MINUTE")
    api_rate_burst: int = Field(default=120, ge=1, alias="API_RATE_BURST")
    # JSON API requests one backend process runs at once (each holds a database connection); the rest wait.
    api_max_concurrency: int = Field(default=8, ge=1, alias="API_MAX_CONCURRENCY")

    # Low-supply alert e-mails: no SMTP_HOST, no e-mail (the alert records why in its delivery error).
    smtp_host: str | None = Field(default=None, alias="SMTP_HOST")
    smtp_port: int = Field(default=25, ge=1, le=65535, alias="SMTP_PORT")
    smtp_user: str | None = Field(default=None, alias="SMTP_USER")
    smtp_password: str | None = Field(default=None, alias="SMTP_PASSWORD")
    smtp_from: str = Field(default="printer-inventory@localhost", alias="SMTP_FROM")
    smtp_starttls: bool = Field(default=False, alias="SMTP_STARTTLS")
    smtp_ssl: bool = Field(default=False, alias="SMTP_SSL")  # implicit TLS (port 465)
    smtp_timeout: float = Field(default=15.0, gt=0, alias="SMTP_TIMEOUT")
    # Alert webhooks: addresses of private networks (an on-premises service desk) are allowed unless turned off;
    # loopback only with ALLOW_LOOPBACK_TARGETS; link-local, metadata and reserved addresses never.
    webhook_allow_private: bool = Field(default=True, alias="WEBHOOK_ALLOW_PRIVATE")
    webhook_timeout: float = Field(default=10.0, gt=0, le=60, alias="WEBHOOK_TIMEOUT")

    @field_validator("poll_interval_minutes")
    @classmethod
    def _fits_the_clock(cls, value: int) -> int:
        """The scheduled poll runs on the same clock minutes every hour (or hours every day): slots must tile them."""
        if 60 % value and (value % 60 or 1440 % value):
            raise ValueError(
                f"POLL_INTERVAL_MINUTES={value} does not divide the clock: use a divisor of 60 (1, 2, 3, 4, 5, 6, 10, "
                "12, 15, 20, 30, 60) or of a day in whole hours (120, 180, 240, 360, 480, 720, 1440)"
            )
        return value

    @field_validator("smtp_ssl")
    @classmethod
    def _one_tls_mode(cls, value: bool, info) -> bool:
        if value and info.data.get("smtp_starttls"):
            raise ValueError("SMTP_SSL and SMTP_STARTTLS exclude each other: SSL for port 465, STARTTLS for 587")
        return value

    @field_validator("redis_namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if value and not _NAMESPACE.fullmatch(value):
            raise ValueError(
                f"REDIS_NAMESPACE={value!r}: use 1 to 40 letters, digits, '_', '-' or '.' (it prefixes Redis keys)"
            )
        return value or None

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone name
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"DEFAULT_LANGUAGE={value!r}: use one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("app_url")
    @classmethod
    def _app_origin(cls, value: str | None) -> str | None:
        return origin_of(value, strict=True) if value and value.strip() else None

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> tuple[str, ...]:
        return tuple(origin_of(item, strict=True) for item in _items(value))

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> tuple[IPNetwork, ...]:
        try:
            return tuple(ipaddress.ip_network(item, strict=False) for item in _items(value))
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES takes addresses or networks (10.0.0.5, 10.0.0.0/8): {exc}") from exc

    @property
    def origins(self) -> tuple[str, ...]:
        """The origins the app is served from, as configured (APP_URL first, then ALLOWED_ORIGINS)."""
        return tuple(dict.fromkeys(([self.app_url] if self.app_url else []) + list(self.allowed_origins)))

    @property
    def embedded(self) -> bool:
        """Embedded mode: no Redis configured, everything runs in one process."""
        return not self.redis_url

    @property
    def namespace(self) -> str:
        """The prefix of this deployment's Redis keys and of its events channel (`<namespace>:events`).

        REDIS_NAMESPACE when set; else `pi` on Redis database 0 and `pi-db<N>` on database N: keys live in their
        database already, but a pub/sub channel is shared by every database of the server.
        """
        if self.redis_namespace:
            return self.redis_namespace
        database = redis_database(self.redis_url) if self.redis_url else 0
        return "pi" if database == 0 else f"pi-db{database}"

    @property
    def dramatiq_namespace(self) -> str:
        """The broker's key prefix: Dramatiq's own unless REDIS_NAMESPACE separates deployments in one database."""
        return f"{self.redis_namespace}-dramatiq" if self.redis_namespace else "dramatiq"

    @property
    def oidc_enabled(self) -> bool:
        """Single sign-on is offered when the provider and this app's client are configured."""
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL; PostgreSQL URLs are pinned to the psycopg 3 driver."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'printer_inventory.db'}"
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def resolved_secret_key(self) -> str:
        """The signing key; embedded mode generates one once and keeps it under data/."""
        if self.secret_key:
            return self.secret_key
        if not self.embedded:
            raise RuntimeError("SECRET_KEY must be set when REDIS_URL is set (production mode).")
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


def redis_database(url: str) -> int:
    """The database number a Redis URL selects (`redis://host:6379/3` or `?db=3`; 0 when it names none)."""
    parsed = urlsplit(url)
    number = parse_qs(parsed.query).get("db", [""])[0] or parsed.path.strip("/")
    try:
        return int(number) if number else 0
    except ValueError:
        return 0


def _items(value: object) -> list[str]:
    """A comma-separated environment value (or a list given in code) as stripped, non-empty items."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return [str(item).strip() for item in items if str(item).strip()]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing env)."""
    return Settings()
