"""Who is acting: a signed-in user with their organization roles."""

from dataclasses import dataclass, field
from datetime import datetime

READ, WRITE, WEBHOOKS, ADMIN = "read", "write", "webhooks", "admin"
SCOPES = (READ, WRITE, WEBHOOKS, ADMIN)
# What a new token gets when it names none: every scope, as tokens had before scopes
# existed, so an integration that never heard of them keeps working. A narrower token is
# asked for by name (a CRM that only reads: ["read"]).
DEFAULT_SCOPES = SCOPES


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str
    name: str = ""
    is_platform_admin: bool = False
    roles: dict[str, str] = field(default_factory=dict)
    # The person's session version when this principal was loaded; a browser session
    # signed with an older one has been signed out everywhere.
    session_version: int = 1
    # IANA name: the pages and e-mails show this person times in it.
    time_zone: str = "UTC"
    # Set when the caller came with an API token: what it may do (app/api/scopes.py) and
    # until when. A browser session or HTTP Basic has no scopes and keeps every right.
    scopes: frozenset[str] | None = None
    token_expires_at: datetime | None = None

    def role_in(self, organization_id: str) -> str | None:
        return self.roles.get(organization_id)

    def is_member_of(self, organization_id: str) -> bool:
        return self.is_platform_admin or organization_id in self.roles
