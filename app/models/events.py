"""The event log: every decision change, and which organizations may see it."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field

EVENT_TYPES = (
    "signon.decision_changed",
    "approval.step_completed",
    "approval.completed",
    "approval.step_overdue",
    "proposal.opened",
    "proposal.vote_cast",
    "proposal.closed",
    "membership.changed",
    "activity.opened",
    "activity.closed",
    "activity.updated",
    "coalition.guidelines_changed",
    "proposal.commented",
    "message.posted",
    "report.sent",
    "goal.progress_changed",
    "webhook.test",
    # Every change of an object is an event (its data carry the object's snapshot):
    "organization.created",
    "organization.updated",
    "organization.deleted",
    "coalition.created",
    "coalition.updated",
    "activity.created",
    "goal.created",
    "goal.updated",
    "goal.deleted",
    "webhook.created",
    "webhook.updated",
    "webhook.deleted",
)


class Event(SQLModel, table=True):
    """One decision change. Followers read the log in (`txid`, `position`) order, which no
    transaction still in flight can commit below (see services/events.py)."""

    __table_args__ = (Index("ix_event_txid_position", "txid", "position", unique=True),)

    id: str = Field(primary_key=True, max_length=40)
    # PostgreSQL: the writing transaction's id and a sequence value; SQLite, where one
    # writer at a time commits: 0 and the next number.
    txid: int = Field(default=0, sa_type=BigInteger)
    position: int = Field(sa_type=BigInteger)
    type: str = Field(max_length=60, index=True)
    occurred_at: datetime = timestamp_field()
    coalition_id: str | None = Field(default=None, max_length=40, index=True)
    actor_user_id: str | None = Field(default=None, max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # What organizations outside the private audience see (e.g. no internal comments).
    shared_data: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class EventAudience(SQLModel, table=True):
    """One row per organization that may see an event; `full` ones see `data`, others
    `shared_data`. Fixed when the event happens, so leaving later does not rewrite history.

    The event's place in the log is copied here so a follower's page is read from the
    index by (organization, place) and costs the same however long the log has grown."""

    __tablename__ = "event_audience"
    __table_args__ = (
        Index("ix_event_audience_organization_place", "organization_id", "txid", "position"),
    )

    event_id: str = Field(
        foreign_key="event.id", primary_key=True, max_length=40, ondelete="CASCADE"
    )
    organization_id: str = Field(primary_key=True, max_length=40)
    full: bool = True
    txid: int = Field(default=0, sa_type=BigInteger)
    position: int = Field(sa_type=BigInteger)
