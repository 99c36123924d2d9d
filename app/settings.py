"""Settings read from the environment (prefix COALESCE_).

Read once, by `get_settings` in main.py and cli.py; everything else is handed them
(a route dependency, the worker's constructor, an argument to a service).
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 (refused in production)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COALESCE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "staging", "production"] = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'coalesce.db'}"
    # PostgreSQL connections all processes of one deployment may hold together, and how
    # many processes share them (web processes plus `coalesce worker`s); each process's
    # pool is its share (app/db.py). `serve --workers N` counts at least its N processes.
    database_connection_budget: int = 80
    database_processes: int = 1
    secret_key: str = DEVELOPMENT_SECRET
    webhook_allow_private_urls: bool = False
    webhook_retry_schedule: str = "0,5,300,1800,7200,18000,36000,36000"
    smtp_url: str | None = None
    # Where links in e-mails point (invitations, resets, the list's unsubscribe links).
    # Never taken from a request's Host header: a forged one would mail people a
    # password-reset link to someone else's site.
    public_url: str = "http://127.0.0.1:8000"
    # `invite`: people arrive only when invited; `open`: anyone may sign up at /signup.
    signup: Literal["invite", "open"] = "invite"
    # Links mailed on request (password resets, sign-ups), per address and per client.
    link_request_limit_per_email: int = 3
    link_request_limit_per_client: int = 20
    link_request_window_seconds: int = 3600
    session_max_age_seconds: int = 14 * 24 * 3600
    # API requests a minute per token (or Basic sign-in), and per client address; 0 turns
    # that limit off. Each process shares its counts every `rate_limit_flush_ms` or after
    # `rate_limit_flush_requests` requests (see app/api/rate_limits.py).
    rate_limit_per_minute: int = 600
    rate_limit_per_client_per_minute: int = 1200
    rate_limit_flush_ms: int = 1000
    rate_limit_flush_requests: int = 100
    login_failure_limit: int = 10
    login_failure_window_seconds: int = 15 * 60
    worker_poll_seconds: float = 1.0
    webhook_lease_seconds: int = 60
    webhook_batch_size: int = 200
    webhook_timeout_seconds: float = 10.0
    # Deliveries in flight at once per worker, each sender keeping its connection alive
    # for the next delivery to the same endpoint (app/delivery/webhooks.py).
    webhook_concurrency: int = 10
    log_level: str = "INFO"
    # Threads a web process answers its plain `def` routes in (anyio's default is 40). One
    # process runs Python one thread at a time: with dozens of requests in threads, each
    # hand-over of the lock (SQLite hands it back on every row it reads) wakes another,
    # and a read of a few hundred rows cost four times its CPU at 32 connections.
    web_threads: int = Field(default=4, ge=1)

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        # Accept the plain libpq form too; the driver we ship is psycopg 3.
        if value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        # Anyone who read this file could sign sessions and read webhook secrets.
        if (
            self.environment not in {"development", "test"}
            and self.secret_key == DEVELOPMENT_SECRET
        ):
            raise ValueError(
                f"COALESCE_SECRET_KEY must be set when COALESCE_ENVIRONMENT is {self.environment}"
            )
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> "Settings":
        # A round of deliveries starts no send that could outlast its lease.
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError(
                "COALESCE_WEBHOOK_LEASE_SECONDS must be longer than "
                "COALESCE_WEBHOOK_TIMEOUT_SECONDS"
            )
        return self

    @property
    def retry_schedule_seconds(self) -> list[int]:
        return [int(part) for part in self.webhook_retry_schedule.split(",") if part.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
