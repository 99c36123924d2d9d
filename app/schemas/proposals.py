"""Shapes of proposals and votes."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from app.models.proposals import ProposalKind
from app.schemas.base import Input, Name, Output
from app.schemas.coalitions import GuidelineChanges, Id, MediumText

Body = Annotated[str, StringConstraints(max_length=20000)]


class ProposalCreate(Input):
    title: Name
    body: Body | None = None
    closes_at: AwareDatetime | None = Field(default=None, description="Default: in 7 days.")
    reason_required: bool = True
    organization_id: Id | None = Field(
        default=None, description="The proposing member; needed when you admin several."
    )
    kind: ProposalKind = ProposalKind.general
    changes: GuidelineChanges | None = Field(
        default=None,
        description="Kind `guidelines`: the guideline fields to change and their new values; "
        "applied when the proposal passes.",
    )
    activity_id: Id | None = Field(
        default=None,
        description="Kind `activity`: the draft letter or statement that opens when the "
        "proposal passes (as opening it does under activity_approval=coalition_vote).",
    )


class CommentCreate(Input):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class CommentRead(Output):
    id: str
    proposal_id: str
    organization_id: str
    organization_name: str
    author_user_id: str | None
    author_name: str | None
    body: str
    created_at: datetime


class Reminded(Output):
    reminded_organization_ids: list[str]


class VoteCast(Input):
    organization_id: Id
    choice: Literal["yes", "no", "abstain", "block"]
    comment: MediumText | None = None


class ProposalTally(Output):
    yes: int
    no: int
    abstain: int
    block: int
    eligible: int
    voted: int


class VoteRead(Output):
    organization_id: str
    organization_name: str
    choice: str
    comment: str | None
    cast_at: datetime


class ProposalRead(Output):
    id: str
    coalition_id: str
    proposed_by_organization_id: str
    title: str
    body: str | None
    kind: str
    changes: dict[str, Any] | None
    activity_id: str | None
    reason_required: bool
    closes_at: datetime
    status: str
    outcome: str | None
    explanation: str | None
    tally: ProposalTally = Field(
        description="Live while open; once closed, the tally its outcome was decided on."
    )
    not_voted_organization_ids: list[str]
    comments_count: int
    votes: list[VoteRead]
    closed_at: datetime | None
    version: int
    created_at: datetime
