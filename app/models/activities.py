"""Advocacy activities, the sign-on decisions they collect, and approval workflows."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from app import clock
from app.models.base import json_list_field, timestamp_field

SIGNATURE_KINDS = {"sign_on_letter", "public_statement"}
# The approval process an organization goes through before joining a coalition; the
# others are named by activity kind ("" is the default for letters and statements).
JOIN_COALITION = "join_coalition"


class ProcessKind(StrEnum):
    """Which approval process: one per activity kind, or the one before joining."""

    sign_on_letter = "sign_on_letter"
    public_statement = "public_statement"
    policymaker_meeting = "policymaker_meeting"
    public_event = "public_event"
    testimony = "testimony"
    other = "other"
    join_coalition = JOIN_COALITION


class ActivityStatus(StrEnum):
    draft = "draft"
    proposed = "proposed"  # put to the coalition's vote (activity_approval=coalition_vote)
    open = "open"
    closed = "closed"


class DecisionStatus(StrEnum):
    pending = "pending"
    in_approval = "in_approval"
    signed = "signed"
    declined = "declined"
    abstained = "abstained"
    withdrawn = "withdrawn"


class ApprovalStatus(StrEnum):
    in_progress = "in_progress"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


class StepStatus(StrEnum):
    waiting = "waiting"
    active = "active"
    approved = "approved"
    rejected = "rejected"


class Activity(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    coalition_id: str = Field(
        foreign_key="coalition.id", max_length=40, index=True, ondelete="CASCADE"
    )
    kind: str = Field(max_length=30)
    title: str = Field(max_length=200)
    # The title printed on the letter, when the working title is not for the addressee.
    public_title: str | None = Field(default=None, max_length=200)
    body: str | None = Field(default=None, max_length=20000)
    target: str | None = Field(default=None, max_length=500)
    scheduled_at: datetime | None = timestamp_field(default=None)
    sign_on_deadline: datetime | None = timestamp_field(default=None)
    issue_area_ids: list[str] = json_list_field()
    issue_positions: list[dict[str, str]] = json_list_field()  # as on the coalition
    collects_signatures: bool = False
    status: str = Field(default=ActivityStatus.draft, max_length=20)
    opened_at: datetime | None = timestamp_field(default=None)
    closed_at: datetime | None = timestamp_field(default=None)
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class SignOnDecision(SQLModel, table=True):
    __tablename__ = "signon_decision"
    __table_args__ = (UniqueConstraint("activity_id", "organization_id"),)

    id: str = Field(primary_key=True, max_length=40)
    activity_id: str = Field(foreign_key="activity.id", max_length=40, ondelete="CASCADE")
    organization_id: str = Field(foreign_key="organization.id", max_length=40, index=True)
    status: str = Field(default=DecisionStatus.pending, max_length=20)
    comment: str | None = Field(default=None, max_length=2000)
    decided_at: datetime | None = timestamp_field(default=None)
    decided_by: str | None = Field(default=None, max_length=40)
    # Printed under the organization on the letter: who signed for it, as they were then.
    signer_name: str | None = Field(default=None, max_length=200)
    signer_title: str | None = Field(default=None, max_length=200)
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class DecisionChange(SQLModel, table=True):
    __tablename__ = "decision_change"

    id: str = Field(primary_key=True, max_length=40)
    decision_id: str = Field(
        foreign_key="signon_decision.id", max_length=40, index=True, ondelete="CASCADE"
    )
    actor_user_id: str | None = Field(default=None, max_length=40)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    comment: str | None = Field(default=None, max_length=2000)
    created_at: datetime = timestamp_field()


class ApprovalProcess(SQLModel, table=True):
    """An organization's own sign-off steps: its default, or one for an activity kind."""

    __tablename__ = "approval_process"
    __table_args__ = (UniqueConstraint("organization_id", "activity_kind"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = Field(
        foreign_key="organization.id", max_length=40, index=True, ondelete="CASCADE"
    )
    activity_kind: str = Field(default="", max_length=30)  # "" is the default process
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    version: int = 1
    updated_at: datetime = timestamp_field()


class ApprovalRequest(SQLModel, table=True):
    """One pass through an organization's steps: for a sign-on decision (`activity_id`,
    `decision_id`) or for joining a coalition (`membership_id`)."""

    __tablename__ = "approval_request"

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = Field(foreign_key="organization.id", max_length=40, index=True)
    activity_id: str | None = Field(
        default=None, foreign_key="activity.id", max_length=40, index=True, ondelete="CASCADE"
    )
    decision_id: str | None = Field(default=None, foreign_key="signon_decision.id", max_length=40)
    membership_id: str | None = Field(
        default=None, foreign_key="membership.id", max_length=40, index=True, ondelete="CASCADE"
    )
    status: str = Field(default=ApprovalStatus.in_progress, max_length=20)
    # Bumped by every decision on a step: the conditional update that lets one of two
    # concurrent approvers win.
    version: int = 1
    created_at: datetime = timestamp_field()
    completed_at: datetime | None = timestamp_field(default=None)
    updated_at: datetime = timestamp_field(default_factory=clock.now)


class ApprovalStep(SQLModel, table=True):
    __tablename__ = "approval_step"
    __table_args__ = (UniqueConstraint("request_id", "position"),)

    id: str = Field(primary_key=True, max_length=40)
    request_id: str = Field(
        foreign_key="approval_request.id", max_length=40, index=True, ondelete="CASCADE"
    )
    position: int
    name: str = Field(max_length=200)
    approver_role: str = Field(max_length=20)
    expected_days: float
    private: bool = False
    status: str = Field(default=StepStatus.waiting, max_length=20, index=True)
    activated_at: datetime | None = timestamp_field(default=None)
    due_at: datetime | None = timestamp_field(default=None, index=True)
    decided_at: datetime | None = timestamp_field(default=None)
    decided_by: str | None = Field(default=None, max_length=40)
    comment: str | None = Field(default=None, max_length=2000)
    overdue_noticed_at: datetime | None = timestamp_field(default=None)
