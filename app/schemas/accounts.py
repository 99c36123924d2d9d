"""Shapes of users, tokens and `/me`."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, EmailStr, Field, StringConstraints

from app.models.organizations import OrganizationKind
from app.schemas.base import Input, Name, Output, ShortText
from app.schemas.organizations import Password

# A link's token as the e-mail carried it; anything longer is not one of ours.
LinkToken = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


Scope = Literal["read", "write", "webhooks", "admin"]


class TokenCreate(Input):
    name: Name
    scopes: Annotated[list[Scope], Field(max_length=4)] | None = Field(
        default=None,
        description="What the token may do: `read` (every GET), `write` (every other change), "
        "`webhooks` (the /webhooks routes), `admin` (tokens, the account's password and "
        "sessions, an organization's people, deleting an organization). Default: all four, as "
        "before scopes existed (made with a token: that token's own).",
    )
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the token stops working (401 after); none by default."
    )


class TokenRead(Output):
    id: str
    name: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(
        description="Kept to the minute: written at most once a minute per token."
    )


class TokenCreated(TokenRead):
    token: str = Field(description="Shown once; keep it safe.")


class MyOrganization(Output):
    id: str
    name: str
    kind: str
    role: str


class MeRead(Output):
    id: str
    email: str
    name: str
    is_platform_admin: bool
    organizations: list[MyOrganization]
    time_zone: str = Field(
        description="IANA name; pages show and take times in it (UTC until one is chosen)."
    )
    time_zone_chosen: bool = Field(
        default=False,
        description="Whether the person (or their browser, at a first sign-in) chose the zone; "
        "until then sign-in takes the browser's.",
    )
    notification_email: Literal["immediate", "daily", "off"] = Field(
        description="How often notifications are e-mailed."
    )


class MeUpdate(Input):
    name: ShortText | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None
    notification_email: Literal["immediate", "daily", "off"] | None = None


class PasswordChange(Input):
    current: Annotated[str, StringConstraints(max_length=200)]
    new: Password


class PasswordResetCreate(Input):
    email: EmailStr


class PasswordResetUse(Input):
    token: LinkToken = Field(description="The token at the end of the e-mailed link.")
    password: Password


class InvitationAccept(Input):
    token: LinkToken = Field(description="The token at the end of the e-mailed link.")
    password: Password
    name: ShortText | None = None


class SignupCreate(Input):
    email: EmailStr


class SignupComplete(Input):
    token: LinkToken = Field(description="The token at the end of the e-mailed link.")
    password: Password
    name: Name
    organization_name: Name
    organization_kind: OrganizationKind


class SignupCompleted(Output):
    user_id: str
    organization_id: str
