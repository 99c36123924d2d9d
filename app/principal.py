"""Who is acting: a signed-in user with their organization roles."""

from dataclasses import dataclass, field


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

    def role_in(self, organization_id: str) -> str | None:
        return self.roles.get(organization_id)

    def is_member_of(self, organization_id: str) -> bool:
        return self.is_platform_admin or organization_id in self.roles
