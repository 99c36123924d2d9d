"""Organizations, their people, issue areas, positions and partner research."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app import clock
from app.models.base import json_list_field, timestamp_field


class OrganizationKind(StrEnum):
    pta = "pta"
    nonprofit = "nonprofit"
    union = "union"
    faith = "faith"
    community = "community"
    business = "business"
    government = "government"
    other = "other"


class OrgRole(StrEnum):
    admin = "admin"
    approver = "approver"
    member = "member"


class Stance(StrEnum):
    support = "support"
    oppose = "oppose"
    neutral = "neutral"


class Priority(StrEnum):
    main = "main"
    secondary = "secondary"
    none = "none"


class Organization(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    website: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=4000)
    staff_count: int = 0
    volunteer_count: int = 0
    expertise: list[str] = json_list_field()
    communities: list[str] = json_list_field()
    # The e-mail of its state or national body, where its advocacy reports are sent.
    reports_to: str | None = Field(default=None, max_length=254)
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
    deleted_at: datetime | None = timestamp_field(default=None)


class OrganizationUser(SQLModel, table=True):
    """A person's role in one organization."""

    __tablename__ = "organization_user"

    organization_id: str = Field(
        foreign_key="organization.id", primary_key=True, max_length=40, ondelete="CASCADE"
    )
    user_id: str = Field(
        foreign_key="user_account.id",
        primary_key=True,
        max_length=40,
        index=True,
        ondelete="CASCADE",
    )
    role: str = Field(max_length=20)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(default_factory=clock.now)


class IssueArea(SQLModel, table=True):
    __tablename__ = "issue_area"

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200, unique=True)
    description: str | None = Field(default=None, max_length=2000)
    created_at: datetime = timestamp_field()


class Position(SQLModel, table=True):
    """Where one organization stands on one issue area; private to that organization."""

    __table_args__ = (UniqueConstraint("organization_id", "issue_area_id"),)

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = Field(foreign_key="organization.id", max_length=40, ondelete="CASCADE")
    issue_area_id: str = Field(foreign_key="issue_area.id", max_length=40, index=True)
    stance: str = Field(max_length=20)
    priority: str = Field(max_length=20)
    statement: str | None = Field(default=None, max_length=4000)
    limitations: str | None = Field(default=None, max_length=4000)
    # Advocacy it cannot take on for this issue (a charity that may not give testimony).
    limited_activity_kinds: list[str] = json_list_field()
    version: int = 1
    updated_at: datetime = timestamp_field()
    updated_by: str | None = Field(default=None, max_length=40)


class ResearchNote(SQLModel, table=True):
    """What one organization has learned about a possible partner; private to the author."""

    __tablename__ = "research_note"

    id: str = Field(primary_key=True, max_length=40)
    author_organization_id: str = Field(
        foreign_key="organization.id", max_length=40, index=True, ondelete="CASCADE"
    )
    subject_organization_id: str = Field(
        foreign_key="organization.id", max_length=40, index=True, ondelete="CASCADE"
    )
    reputable: bool | None = None
    positions_note: str | None = Field(default=None, max_length=4000)
    community_relations: str | None = Field(default=None, max_length=4000)
    policymaker_relations: str | None = Field(default=None, max_length=4000)
    expertise_note: str | None = Field(default=None, max_length=4000)
    recommendation: str | None = Field(default=None, max_length=4000)
    created_by: str | None = Field(default=None, max_length=40)
    version: int = 1
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
