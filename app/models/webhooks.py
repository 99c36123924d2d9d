"""Webhook subscriptions, their deliveries (the outbox) and every delivery attempt."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from app.models.base import json_list_field, timestamp_field


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscription"

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = Field(
        foreign_key="organization.id", max_length=40, index=True, ondelete="CASCADE"
    )
    url: str = Field(max_length=2000)
    event_types: list[str] = json_list_field()
    description: str | None = Field(default=None, max_length=500)
    enabled: bool = True
    disabled_reason: str | None = Field(default=None, max_length=500)
    # Secrets are stored encrypted (Fernet, key derived from COALESCE_SECRET_KEY).
    secret_encrypted: str = Field(sa_type=Text)
    previous_secret_encrypted: str | None = Field(default=None, sa_type=Text)
    previous_secret_expires_at: datetime | None = timestamp_field(default=None)
    last_success_at: datetime | None = timestamp_field(default=None)
    failing_since: datetime | None = timestamp_field(default=None)
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    id: str = Field(primary_key=True, max_length=40)
    subscription_id: str = Field(
        foreign_key="webhook_subscription.id", max_length=40, index=True, ondelete="CASCADE"
    )
    event_id: str = Field(max_length=40)
    event_type: str = Field(max_length=60)
    payload: str = Field(sa_type=Text)  # the exact body sent, so retries are byte-identical
    status: str = Field(default="pending", max_length=20)
    attempt_count: int = 0
    next_attempt_at: datetime | None = timestamp_field(default=None)
    locked_until: datetime | None = timestamp_field(default=None)
    created_at: datetime = timestamp_field()
    completed_at: datetime | None = timestamp_field(default=None)


class WebhookAttempt(SQLModel, table=True):
    __tablename__ = "webhook_attempt"

    id: str = Field(primary_key=True, max_length=40)
    delivery_id: str = Field(
        foreign_key="webhook_delivery.id", max_length=40, index=True, ondelete="CASCADE"
    )
    at: datetime = timestamp_field()
    status_code: int | None = None
    duration_ms: float = 0
    error: str | None = Field(default=None, max_length=1000)
    response_excerpt: str | None = Field(default=None, max_length=1024)
