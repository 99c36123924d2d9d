"""Proposals a coalition decides by vote, each member's live vote, and the vote history."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class ProposalKind(StrEnum):
    general = "general"
    guidelines = "guidelines"  # applies its `changes` to the guidelines when it passes
    activity = "activity"  # opens its activity when it passes (activity_approval=coalition_vote)


class Proposal(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    coalition_id: str = Field(
        foreign_key="coalition.id", max_length=40, index=True, ondelete="CASCADE"
    )
    proposed_by_organization_id: str = Field(foreign_key="organization.id", max_length=40)
    title: str = Field(max_length=200)
    body: str | None = Field(default=None, max_length=20000)
    kind: str = Field(default=ProposalKind.general, max_length=20)
    changes: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    activity_id: str | None = Field(
        default=None, foreign_key="activity.id", max_length=40, index=True, ondelete="CASCADE"
    )
    reason_required: bool = True  # a reason on `no` and `block`
    closes_at: datetime = timestamp_field(index=True)
    status: str = Field(default="open", max_length=20, index=True)
    outcome: str | None = Field(default=None, max_length=20)
    explanation: str | None = Field(default=None, max_length=500)
    # The tally the outcome was decided on: members who join or leave later do not move it.
    closing_tally: dict[str, int] | None = Field(default=None, sa_type=JSON)
    closed_at: datetime | None = timestamp_field(default=None)
    closing_soon_noticed: bool = False
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class Vote(SQLModel, table=True):
    """One live vote per member organization; changing it rewrites this row."""

    __table_args__ = (UniqueConstraint("proposal_id", "organization_id"),)

    id: str = Field(primary_key=True, max_length=40)
    proposal_id: str = Field(foreign_key="proposal.id", max_length=40, ondelete="CASCADE")
    organization_id: str = Field(foreign_key="organization.id", max_length=40)
    choice: str = Field(max_length=20)
    comment: str | None = Field(default=None, max_length=2000)
    cast_by: str | None = Field(default=None, max_length=40)
    cast_at: datetime = timestamp_field()


class VoteChange(SQLModel, table=True):
    __tablename__ = "vote_change"

    id: str = Field(primary_key=True, max_length=40)
    proposal_id: str = Field(
        foreign_key="proposal.id", max_length=40, index=True, ondelete="CASCADE"
    )
    organization_id: str = Field(max_length=40)
    from_choice: str | None = Field(default=None, max_length=20)
    to_choice: str = Field(max_length=20)
    comment: str | None = Field(default=None, max_length=2000)
    cast_by: str | None = Field(default=None, max_length=40)
    created_at: datetime = timestamp_field()


class ProposalComment(SQLModel, table=True):
    """The discussion of a proposal: visible to the coalition's members."""

    __tablename__ = "proposal_comment"

    id: str = Field(primary_key=True, max_length=40)
    proposal_id: str = Field(
        foreign_key="proposal.id", max_length=40, index=True, ondelete="CASCADE"
    )
    organization_id: str = Field(foreign_key="organization.id", max_length=40)
    author_user_id: str | None = Field(default=None, max_length=40)
    body: str = Field(max_length=4000)
    created_at: datetime = timestamp_field()
