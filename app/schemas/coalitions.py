"""Shapes of coalitions, memberships, alignment, goals, objectives and events."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import EmailStr, Field, StringConstraints, field_validator, model_validator

from app.models.coalitions import (
    ActivityApproval,
    ActivityKind,
    CoalitionStatus,
    DecisionRule,
    Engagement,
    GamePlan,
    MembershipStatus,
    Visibility,
    WhoMayPost,
)
from app.schemas.approvals import ApprovalSummary
from app.schemas.base import Input, LongText, Name, Output, Tags
from app.schemas.organizations import Website

Id = Annotated[str, StringConstraints(max_length=40)]
MediumText = Annotated[str, StringConstraints(max_length=2000)]
Issue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Quorum = Annotated[float, Field(ge=0, le=1)]
Money = Annotated[float, Field(ge=0, le=10_000_000)]
Hours = Annotated[float, Field(ge=0, le=744)]


class IssuePosition(Input):
    """What a coalition (or one of its activities) works for or against on one issue area."""

    issue_area_id: Id
    stance: Literal["support", "oppose"]


IssuePositions = Annotated[list[IssuePosition], Field(max_length=50)]


class IssuePositionRead(Output):
    issue_area_id: str
    stance: str


class CoalitionCreate(Input):
    name: Name
    unifying_issue: Issue
    policy_goal: MediumText | None = None
    description: LongText | None = None
    website: Website = Field(
        default=None, description="The coalition's own web page (http or https)."
    )
    issue_area_ids: Annotated[list[Id], Field(max_length=50)] = Field(default_factory=list)
    issue_positions: IssuePositions | None = Field(
        default=None,
        description="The coalition's stance per issue area (support or oppose); an issue area "
        "listed only in issue_area_ids is supported.",
    )
    status: CoalitionStatus = CoalitionStatus.forming
    decision_rule: DecisionRule = DecisionRule.consensus
    quorum: Quorum = 0.5
    allowed_activity_kinds: list[ActivityKind] = Field(default_factory=lambda: list(ActivityKind))
    dues_amount: Money = 0
    activity_approval: ActivityApproval = ActivityApproval.leads
    who_may_post: WhoMayPost = WhoMayPost.members
    how_members_are_informed: MediumText | None = None
    convener_organization_id: Id
    visibility: Visibility = Visibility.private

    @field_validator("issue_area_ids", "allowed_activity_kinds")
    @classmethod
    def _distinct(cls, values: list) -> list:
        return list(dict.fromkeys(values))


class GuidelineChanges(Input):
    """A change of the guidelines: only the fields that change. Put to the coalition as a
    proposal of kind `guidelines` once it has more than one joined member."""

    decision_rule: DecisionRule | None = None
    quorum: Quorum | None = None
    allowed_activity_kinds: list[ActivityKind] | None = None
    activity_approval: ActivityApproval | None = None
    who_may_post: WhoMayPost | None = None
    how_members_are_informed: MediumText | None = None
    dues_amount: Money | None = None

    @field_validator("allowed_activity_kinds")
    @classmethod
    def _distinct(cls, values: list | None) -> list | None:
        return list(dict.fromkeys(values)) if values is not None else None


class CoalitionUpdate(Input):
    name: Name | None = None
    unifying_issue: Issue | None = None
    policy_goal: MediumText | None = None
    description: LongText | None = None
    website: Website = Field(
        default=None, description="The coalition's own web page; null clears it."
    )
    issue_area_ids: Annotated[list[Id], Field(max_length=50)] | None = None
    issue_positions: IssuePositions | None = None
    status: CoalitionStatus | None = None
    decision_rule: DecisionRule | None = None
    quorum: Quorum | None = None
    allowed_activity_kinds: list[ActivityKind] | None = None
    dues_amount: Money | None = None
    activity_approval: ActivityApproval | None = None
    who_may_post: WhoMayPost | None = None
    how_members_are_informed: MediumText | None = None
    visibility: Visibility | None = None


class CoalitionRead(Output):
    id: str
    name: str
    unifying_issue: str
    policy_goal: str | None
    description: str | None
    website: str | None = None
    issue_area_ids: list[str]
    issue_positions: list[IssuePositionRead]
    status: str
    decision_rule: str
    quorum: float
    allowed_activity_kinds: list[str]
    dues_amount: float
    activity_approval: str
    who_may_post: str
    how_members_are_informed: str | None
    guidelines_agreed_at: datetime | None = Field(
        description="When the guidelines were last agreed (set by the convener alone, or by "
        "the proposal that last changed them)."
    )
    guidelines_proposal_id: str | None = Field(
        description="The proposal of kind `guidelines` that last changed them, if any."
    )
    convener_organization_id: str
    visibility: str
    version: int
    created_at: datetime
    updated_at: datetime


class Composition(Output):
    by_kind: dict[str, int]
    communities: list[str]
    expertise: list[str]
    well_rounded: bool
    reasons: list[str]


class SizeImplications(Output):
    members: int
    share_of_work: float | None
    median_decision_days: float | None
    summary: list[str]


class CoalitionListed(CoalitionRead):
    """A coalition in a list; `members` only with `expand=members`."""

    members: list["MembershipRead"] | None = None


class CoalitionDetail(CoalitionRead):
    guidelines_agreed_by: list[str] = Field(
        description="The organizations that agreed the guidelines in force: those that voted "
        "yes on the proposal that last changed them, or the convener that set them alone."
    )
    size: int
    composition: Composition
    size_implications: SizeImplications
    members: list["MembershipRead"] | None = Field(
        default=None, description="Only with `expand=members`."
    )


class MembershipCreate(Input):
    """An organization on Coalesce by `organization_id`, or one not yet on it by
    `invite_email` and `organization_name` (created with that person as its first admin)."""

    organization_id: Id | None = None
    invite_email: EmailStr | None = None
    organization_name: Name | None = None
    engagement: Engagement | None = None
    roles: Tags = Field(default_factory=list)
    note: MediumText | None = None
    # An organization asking to join states its commitment, as when answering an invitation.
    commitment_hours_per_month: Hours | None = None
    game_plan: GamePlan | None = None
    game_plan_note: MediumText | None = None

    @model_validator(mode="after")
    def _one_organization(self) -> "MembershipCreate":
        if self.invite_email is None and self.organization_id is None:
            raise ValueError("Name an organization, or an e-mail address and a name to invite.")
        if self.invite_email is not None and self.organization_id is not None:
            raise ValueError("Name an organization or an e-mail address, not both.")
        if self.invite_email is not None and self.organization_name is None:
            raise ValueError("Give the name of the organization to invite.")
        return self


class MembershipUpdate(Input):
    status: MembershipStatus | None = None
    engagement: Engagement | None = None
    roles: Tags | None = None
    commitment_hours_per_month: Hours | None = None
    game_plan: GamePlan | None = None
    game_plan_note: MediumText | None = None


class MembershipRead(Output):
    organization_id: str
    organization_name: str
    organization_kind: str
    coalition_id: str
    status: str
    engagement: str
    roles: list[str]
    commitment_hours_per_month: float
    game_plan: str | None
    game_plan_note: str | None
    invitation_note: str | None
    joined_at: datetime | None
    approval: ApprovalSummary | None = Field(
        default=None,
        description="Its own approval of joining (status `joining`), when its process covers "
        "`join_coalition`: where it stands and when it is expected to finish.",
    )
    version: int
    created_at: datetime
    updated_at: datetime


class MembershipChangeRead(Output):
    id: str
    organization_id: str
    actor_user_id: str | None
    changes: dict[str, list[Any]]
    created_at: datetime


class IssueVerdictRead(Output):
    issue_area_id: str
    issue_area_name: str
    stance: str | None
    priority: str | None
    verdict: str
    note: str


class AlignmentRead(Output):
    coalition_id: str
    activity_id: str | None = None
    organization_id: str
    verdict: str
    issues: list[IssueVerdictRead]
    recommended_engagement: str
    reasons: list[str]


class GoalCreate(Input):
    title: Name
    description: LongText | None = None
    due_date: date
    owner_organization_ids: Annotated[list[Id], Field(max_length=50)] = Field(default_factory=list)


class GoalUpdate(Input):
    title: Name | None = None
    description: LongText | None = None
    due_date: date | None = None
    owner_organization_ids: Annotated[list[Id], Field(max_length=50)] | None = None


class ObjectiveCreate(Input):
    title: Name
    due_date: date | None = None
    assignee_organization_id: Id | None = None


class ObjectiveUpdate(Input):
    done: bool | None = None
    title: Name | None = None
    due_date: date | None = None
    assignee_organization_id: Id | None = None


class ObjectiveRead(Output):
    id: str
    goal_id: str
    title: str
    due_date: date | None
    assignee_organization_id: str | None
    done: bool
    done_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class GoalRead(Output):
    id: str
    coalition_id: str
    title: str
    description: str | None
    due_date: date
    owner_organization_ids: list[str]
    progress: float
    health: str
    objectives: list[ObjectiveRead]
    version: int
    created_at: datetime
    updated_at: datetime


class EventRead(Output):
    id: str
    type: str
    timestamp: datetime
    coalition_id: str | None
    data: dict[str, Any] = Field(
        description="The same `data` a webhook delivers: `event_id`, `type`, `timestamp`, "
        "`coalition_id`, the changed object's `version` and `object` (its snapshot as the "
        "reader's organization may see it), and the fields of its type (see the schema's "
        "`webhooks` for an example of each)."
    )


# Lists and details carry members read later in this module.
CoalitionListed.model_rebuild()
CoalitionDetail.model_rebuild()
