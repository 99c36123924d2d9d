"""Shapes of organizations, their users, issue areas, positions and research notes."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints

from app.models.coalitions import ActivityKind
from app.models.organizations import OrganizationKind, OrgRole, Priority, Stance
from app.schemas.base import Count, Input, LongText, Name, Output, ShortText, Tags


def _web_address(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if not value.startswith(("http://", "https://")) or "." not in value:
        raise ValueError("Enter a web address starting with https://")
    return value


Website = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, max_length=500),
    AfterValidator(_web_address),
]


def _blank_is_none(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value  # anything else is the e-mail check's to refuse


# Blank clears it (a form's empty box); otherwise an e-mail address.
ReportsTo = Annotated[EmailStr | None, BeforeValidator(_blank_is_none)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]


class OrganizationCreate(Input):
    name: Name
    kind: OrganizationKind
    website: Website = None
    description: LongText | None = None
    staff_count: Count = 0
    volunteer_count: Count = 0
    expertise: Tags = Field(default_factory=list)
    communities: Tags = Field(default_factory=list)
    reports_to: ReportsTo = Field(
        default=None, description="E-mail of the state or national body reports go to."
    )


class OrganizationUpdate(Input):
    name: Name | None = None
    kind: OrganizationKind | None = None
    website: Website = None
    description: LongText | None = None
    staff_count: Count | None = None
    volunteer_count: Count | None = None
    expertise: Tags | None = None
    communities: Tags | None = None
    reports_to: ReportsTo = Field(
        default=None, description="E-mail of the state or national body reports go to."
    )


class OrganizationRead(Output):
    id: str
    name: str
    kind: str
    website: str | None
    description: str | None
    staff_count: int
    volunteer_count: int
    expertise: list[str]
    communities: list[str]
    reports_to: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class OrganizationUserCreate(Input):
    email: EmailStr
    role: OrgRole
    name: ShortText | None = None
    password: Password | None = None


class OrganizationUserUpdate(Input):
    role: OrgRole


class OrganizationUserRead(Output):
    id: str
    user_id: str
    organization_id: str
    email: str
    name: str
    role: str
    status: Literal["active", "invited"] = Field(
        description="`invited`: has not chosen a password (and signed in) yet."
    )
    created_at: datetime


class IssueAreaCreate(Input):
    name: Name
    description: LongText | None = None


class IssueAreaRead(Output):
    id: str
    name: str
    description: str | None
    created_at: datetime


class PositionPut(Input):
    stance: Stance
    priority: Priority
    statement: LongText | None = None
    limitations: LongText | None = None
    limited_activity_kinds: list[ActivityKind] = Field(
        default_factory=list,
        description="Advocacy the organization cannot take on for this issue.",
    )


class PositionRead(Output):
    id: str
    organization_id: str
    issue_area_id: str
    stance: str
    priority: str
    statement: str | None
    limitations: str | None
    limited_activity_kinds: list[str]
    version: int
    updated_at: datetime


class ResearchNoteCreate(Input):
    subject_organization_id: str = Field(max_length=40)
    reputable: bool | None = None
    positions_note: LongText | None = None
    community_relations: LongText | None = None
    policymaker_relations: LongText | None = None
    expertise_note: LongText | None = None
    recommendation: LongText | None = None


class ResearchNoteRead(Output):
    id: str
    author_organization_id: str
    subject_organization_id: str
    reputable: bool | None
    positions_note: str | None
    community_relations: str | None
    policymaker_relations: str | None
    expertise_note: str | None
    recommendation: str | None
    version: int
    created_at: datetime
    updated_at: datetime
