"""Shapes of users, tokens and `/me`."""

from datetime import datetime

from pydantic import Field

from app.schemas.base import Input, Name, Output


class TokenCreate(Input):
    name: Name


class TokenRead(Output):
    id: str
    name: str
    created_at: datetime


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
