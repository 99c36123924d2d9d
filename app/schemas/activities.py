"""Shapes of activities, sign-on decisions, approval processes and approval requests."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from app.models.activities import DecisionStatus
from app.models.coalitions import ActivityKind
from app.schemas.approvals import ApprovalSummary
from app.schemas.base import Input, Name, Output, ShortText
from app.schemas.coalitions import Id, IssuePositionRead, IssuePositions, MediumText

Body = Annotated[str, StringConstraints(max_length=20000)]
Target = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
AreaIds = Annotated[list[Id], Field(max_length=50)]
# A moment must say its time zone (or Z): a bare local time is ambiguous, so refused (422).
Moment = AwareDatetime


class ActivityCreate(Input):
    kind: ActivityKind
    title: Name
    public_title: ShortText | None = Field(
        default=None, description="The title printed on the letter, if not `title`."
    )
    body: Body | None = None
    target: Target | None = None
    scheduled_at: Moment | None = None
    sign_on_deadline: Moment | None = None
    issue_area_ids: AreaIds = Field(default_factory=list)
    issue_positions: IssuePositions | None = Field(
        default=None,
        description="The activity's stance per issue area; by default the coalition's.",
    )
    collects_signatures: bool | None = Field(
        default=None, description="Defaults to true for sign-on letters and public statements."
    )


class ActivityUpdate(Input):
    title: Name | None = None
    public_title: ShortText | None = None
    body: Body | None = None
    target: Target | None = None
    scheduled_at: Moment | None = None
    sign_on_deadline: Moment | None = None
    issue_area_ids: AreaIds | None = None
    issue_positions: IssuePositions | None = None


class Tally(Output):
    pending: int = 0
    in_approval: int = 0
    signed: int = 0
    declined: int = 0
    abstained: int = 0
    withdrawn: int = 0


class MemberForecast(Output):
    """When one member's approval is expected to finish: the request under way, or (for a
    draft) the one asking it now would start."""

    organization_id: str
    organization_name: str
    steps_total: int
    expected_completion_at: datetime | None
    at_risk: bool


class Readiness(Output):
    recommended_deadline: datetime | None = Field(
        description="A deadline the slowest member can meet: its forecast plus a day. For a "
        "draft, as if it opened now."
    )
    at_risk_organization_ids: list[str]
    forecasts: list[MemberForecast] = Field(
        default_factory=list, description="Members that go through an approval, slowest first."
    )


class ActivityRead(Output):
    id: str
    coalition_id: str
    kind: str
    title: str
    public_title: str | None = Field(
        default=None, description="The title printed on the letter, if not `title`."
    )
    body: str | None
    target: str | None
    scheduled_at: datetime | None
    sign_on_deadline: datetime | None
    issue_area_ids: list[str]
    issue_positions: list[IssuePositionRead]
    collects_signatures: bool
    status: str
    opened_at: datetime | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class ActivityVote(Output):
    """The coalition's last vote on opening this activity (activity_approval=coalition_vote)."""

    id: str
    status: str
    outcome: str | None
    explanation: str | None


class ActivityListed(ActivityRead):
    """An activity in a list; `tally` and `decisions` only with `expand` naming them."""

    tally: Tally | None = None
    decisions: list["DecisionRead"] | None = None


class ActivityDetail(ActivityRead):
    tally: Tally
    readiness: Readiness
    proposal: ActivityVote | None = None


class DecisionRead(Output):
    organization_id: str
    organization_name: str
    status: str
    comment: str | None
    decided_at: datetime | None
    signer_name: str | None = Field(
        default=None, description="Who signed for the organization (the letter prints it)."
    )
    signer_title: str | None = Field(default=None, description="Their title, as they gave it.")
    version: int
    approval: ApprovalSummary | None


class DecisionPut(Input):
    status: DecisionStatus
    comment: MediumText | None = None
    signer_title: ShortText | None = Field(
        default=None, description="When signing: the signer's title, printed on the letter."
    )


class DecisionChangeRead(Output):
    """One change: who (the person by name, and the organization they decided for), when,
    from, to, comment."""

    id: str
    who: str | None
    who_name: str | None = Field(default=None, description="The person's name, if they gave one.")
    who_organization_id: str | None = None
    who_organization_name: str | None = Field(
        default=None, description="The organization the person decided for."
    )
    who_email: str | None = Field(
        default=None,
        description="Shown to the deciding organization's own people only; null for others.",
    )
    when: datetime
    from_status: str | None = Field(alias="from")
    to: str
    comment: str | None


class ApprovalStepIn(Input):
    name: Name
    approver_role: Literal["admin", "approver"]
    expected_days: Annotated[float, Field(gt=0, le=365)]
    private: bool = False


class ApprovalProcessPut(Input):
    steps: Annotated[list[ApprovalStepIn], Field(max_length=20)]


class ApprovalProcessRead(Output):
    organization_id: str
    activity_kind: str | None
    steps: list[ApprovalStepIn]
    version: int
    updated_at: datetime | None


class ApprovalStepRead(Output):
    position: int
    name: str
    approver_role: str
    expected_days: float
    status: str
    due_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    decided_by_name: str | None = Field(
        default=None, description="The approver's name, for the organization's own readers."
    )
    comment: str | None
    overdue: bool
    starts_at: datetime | None = Field(
        default=None,
        description="When the step started or, still waiting, is forecast to start "
        "(what the approval timeline draws).",
    )
    ends_at: datetime | None = Field(
        default=None,
        description="When the step was decided or, under way or waiting, is forecast to end.",
    )


class Commitment(Output):
    """What joining commits the organization to: what its approvers decide on."""

    engagement: str
    roles: list[str]
    commitment_hours_per_month: float
    game_plan: str
    game_plan_note: str | None
    dues_amount: float


class ApprovalRead(Output):
    id: str
    organization_id: str
    kind: Literal["sign_on", "join_coalition"] = Field(
        description="What is approved: signing an activity, or joining a coalition."
    )
    coalition_id: str
    activity_id: str | None = Field(description="Set when the request is for a sign-on.")
    membership_id: str | None = Field(description="Set when the request is for joining.")
    activity_title: str = Field(description="What is approved, in words (same as `title`).")
    title: str
    link: str = Field(description="The page where the approvers read what they approve.")
    text: str | None = Field(
        default=None, description="For a sign-on: the text the organization is asked to sign."
    )
    addressed_to: str | None = Field(default=None, description="For a sign-on: its addressee.")
    commitment: Commitment | None = Field(
        description="For joining: the engagement, roles, hours, game plan and dues."
    )
    status: str
    step: int | None
    steps_total: int
    steps: list[ApprovalStepRead]
    expected_completion_at: datetime | None
    at_risk: bool
    created_at: datetime
    completed_at: datetime | None


class ApprovalDecision(Input):
    action: Literal["approve", "reject"]
    comment: MediumText | None = None
    signer_title: ShortText | None = Field(
        default=None,
        description="Approving the last step of a sign-on signs it: the approver's title, "
        "printed under their name on the letter.",
    )
    step: Annotated[int, Field(ge=1, le=20)] = Field(
        description="The position of the step this decides. When it is no longer the active "
        "step (a double submit, or another approver was quicker) the answer is 409: a "
        "decision never reaches a step its approver did not see.",
    )


ActivityListed.model_rebuild()  # its decisions are read later in this module
