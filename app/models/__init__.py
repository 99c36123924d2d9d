"""SQLModel tables, one module per domain; importing this package registers them all."""

from app.models.accounts import ApiToken, LoginFailure, User
from app.models.idempotency import IdempotencyRecord
from app.models.organizations import (
    IssueArea,
    Organization,
    OrganizationUser,
    Position,
    ResearchNote,
)

__all__ = [
    "ApiToken",
    "IdempotencyRecord",
    "IssueArea",
    "LoginFailure",
    "Organization",
    "OrganizationUser",
    "Position",
    "ResearchNote",
    "User",
]
