"""Shapes of webhook subscriptions and deliveries."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from app.models.events import EVENT_TYPES
from app.schemas.base import Input, Output
from app.schemas.coalitions import Id

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)]
EventTypes = Annotated[list[str], Field(min_length=1, max_length=len(EVENT_TYPES) + 1)]


def _known_types(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    unknown = [v for v in values if v != "*" and v not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"Unknown event type {unknown[0]}; use {', '.join(EVENT_TYPES)} or *.")
    return list(dict.fromkeys(values))


class WebhookCreate(Input):
    url: Url
    event_types: EventTypes = Field(default_factory=lambda: ["*"])
    organization_id: Id
    description: Annotated[str, StringConstraints(max_length=500)] | None = None

    _types = field_validator("event_types")(_known_types)


class WebhookUpdate(Input):
    url: Url | None = None
    event_types: EventTypes | None = None
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    enabled: bool | None = None

    _types = field_validator("event_types")(_known_types)


class WebhookRead(Output):
    id: str
    organization_id: str
    url: str
    event_types: list[str]
    description: str | None
    enabled: bool
    disabled_reason: str | None
    last_success_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookRead):
    secret: str = Field(description="Shown now and on rotate-secret only.")


class AttemptRead(Output):
    at: datetime
    status_code: int | None
    duration_ms: float
    error: str | None
    response_excerpt: str | None


class DeliveryRead(Output):
    id: str
    event_id: str
    event_type: str
    status: str
    attempts: list[AttemptRead]
    next_attempt_at: datetime | None
    created_at: datetime
    completed_at: datetime | None


def _in_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ReplayCreate(Input):
    since: datetime = Field(description="Start of the range, ISO 8601 (UTC without an offset).")
    until: datetime = Field(description="End of the range, included; at most 31 days later.")

    _utc = field_validator("since", "until")(_in_utc)


class ReplayRead(Output):
    queued: int = Field(description="How many events were queued for delivery again.")
    since: datetime
    until: datetime
