"""Shapes of proposals and votes."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from app.schemas.base import Input, Name, Output
from app.schemas.coalitions import Id, MediumText

Body = Annotated[str, StringConstraints(max_length=20000)]


class ProposalCreate(Input):
    title: Name
    body: Body | None = None
    closes_at: AwareDatetime | None = Field(default=None, description="Default: in 7 days.")
    reason_required: bool = True
    organization_id: Id | None = Field(
        default=None, description="The proposing member; needed when you admin several."
    )


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
    reason_required: bool
    closes_at: datetime
    status: str
    outcome: str | None
    explanation: str | None
    tally: ProposalTally
    votes: list[VoteRead]
    closed_at: datetime | None
    version: int
    created_at: datetime
