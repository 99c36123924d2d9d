"""Coalitions, memberships with their history, goals and objectives."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import json_list_field, timestamp_field


class CoalitionStatus(StrEnum):
    forming = "forming"
    active = "active"
    dormant = "dormant"
    closed = "closed"


class DecisionRule(StrEnum):
    consensus = "consensus"
    majority = "majority"
    supermajority = "supermajority"
    unanimous = "unanimous"
    lead_decides = "lead_decides"


class Visibility(StrEnum):
    private = "private"
    listed = "listed"


class ActivityKind(StrEnum):
    sign_on_letter = "sign_on_letter"
    public_statement = "public_statement"
    policymaker_meeting = "policymaker_meeting"
    public_event = "public_event"
    testimony = "testimony"
    other = "other"


class MembershipStatus(StrEnum):
    invited = "invited"
    requested = "requested"  # a listed coalition: the organization asked to join
    joining = "joining"  # its own approval process is deciding whether to join
    joined = "joined"
    declined = "declined"
    left = "left"


class Engagement(StrEnum):
    lead = "lead"
    core = "core"
    supporter = "supporter"
    observer = "observer"


class GamePlan(StrEnum):
    abstain = "abstain"
    decline = "decline"
    escalate = "escalate"
    case_by_case = "case_by_case"


class ActivityApproval(StrEnum):
    """Who opens a letter or statement in the coalition's name."""

    leads = "leads"  # its leads and drafters
    coalition_vote = "coalition_vote"  # a proposal of kind `activity`, decided by the rule


class WhoMayPost(StrEnum):
    """Who starts a thread on the coalition's list (leads and coordinators always)."""

    leads = "leads"
    members = "members"


# Role labels that carry powers (services/access.py); any other role is a free-text label.
class PoweredRole(StrEnum):
    drafter = "drafter"  # drafts and edits activities
    coordinator = "coordinator"  # posts to the coalition's messages, invites
    spokesperson = "spokesperson"  # named on letters and reports


# The guidelines: how the coalition decides, advocates and keeps members informed. The
# convener sets them while alone; afterwards only a proposal of kind `guidelines` does.
GUIDELINE_FIELDS = (
    "decision_rule",
    "quorum",
    "allowed_activity_kinds",
    "activity_approval",
    "who_may_post",
    "how_members_are_informed",
    "dues_amount",
)


class Coalition(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    unifying_issue: str = Field(max_length=1000)
    policy_goal: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, max_length=4000)
    website: str | None = Field(default=None, max_length=500)
    issue_area_ids: list[str] = json_list_field()
    # One {issue_area_id, stance} per issue area: what the coalition works for or against.
    issue_positions: list[dict[str, str]] = json_list_field()
    status: str = Field(default=CoalitionStatus.forming, max_length=20)
    decision_rule: str = Field(default=DecisionRule.consensus, max_length=20)
    quorum: float = 0.5
    allowed_activity_kinds: list[str] = json_list_field()
    dues_amount: float = 0
    activity_approval: str = Field(default=ActivityApproval.leads, max_length=20)
    who_may_post: str = Field(default=WhoMayPost.members, max_length=20)
    how_members_are_informed: str | None = Field(default=None, max_length=2000)
    # When the guidelines were last agreed, and the proposal that changed them (None: the
    # convener set them while it was the only member).
    guidelines_agreed_at: datetime | None = timestamp_field(default=None)
    guidelines_proposal_id: str | None = Field(default=None, max_length=40)
    convener_organization_id: str = Field(foreign_key="organization.id", max_length=40)
    visibility: str = Field(default=Visibility.private, max_length=20)
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("coalition_id", "organization_id"),)

    id: str = Field(primary_key=True, max_length=40)
    coalition_id: str = Field(foreign_key="coalition.id", max_length=40, ondelete="CASCADE")
    organization_id: str = Field(foreign_key="organization.id", max_length=40, index=True)
    status: str = Field(max_length=20)
    engagement: str = Field(default=Engagement.supporter, max_length=20)
    roles: list[str] = json_list_field()
    commitment_hours_per_month: float = 0
    game_plan: str = Field(default=GamePlan.case_by_case, max_length=20)
    game_plan_note: str | None = Field(default=None, max_length=2000)
    invitation_note: str | None = Field(default=None, max_length=2000)
    joined_at: datetime | None = timestamp_field(default=None)
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


class MembershipChange(SQLModel, table=True):
    """The membership history: who changed what, from what to what, and when."""

    __tablename__ = "membership_change"

    id: str = Field(primary_key=True, max_length=40)
    membership_id: str = Field(
        foreign_key="membership.id", max_length=40, index=True, ondelete="CASCADE"
    )
    actor_user_id: str | None = Field(default=None, max_length=40)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = timestamp_field()


class Goal(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    coalition_id: str = Field(
        foreign_key="coalition.id", max_length=40, index=True, ondelete="CASCADE"
    )
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    due_date: date
    owner_organization_ids: list[str] = json_list_field()
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    deleted_at: datetime | None = timestamp_field(default=None)


class Objective(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    goal_id: str = Field(foreign_key="goal.id", max_length=40, index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    due_date: date | None = None
    assignee_organization_id: str | None = Field(
        default=None, foreign_key="organization.id", max_length=40
    )
    done: bool = False
    done_at: datetime | None = timestamp_field(default=None)
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    deleted_at: datetime | None = timestamp_field(default=None)
