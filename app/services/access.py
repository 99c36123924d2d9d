"""What a principal may see and do: the one place visibility is decided.

Organization profiles are a directory every signed-in user can read (coalitions
must find partners). What an organization keeps about itself (its people,
positions, partner research) is visible only to its own users: to anyone else
it does not exist (404). Seeing a thing but lacking the role to change it is 403.
"""

from sqlmodel import Session

from app.errors import Forbidden, NotFound
from app.models import Organization
from app.models.organizations import OrgRole
from app.principal import Principal


def get_organization(
    session: Session, principal: Principal, organization_id: str, *, private: bool = False
) -> Organization:
    """The organization if the principal may see it (its private side when `private`)."""
    organization = session.get(Organization, organization_id)
    if organization is None or organization.deleted_at is not None:
        raise NotFound("No such organization.")
    if private and not principal.is_member_of(organization_id):
        raise NotFound("No such organization.")
    return organization


def require_role(principal: Principal, organization_id: str, *roles: OrgRole) -> None:
    """Forbidden unless the principal holds one of `roles` in the organization."""
    if principal.is_platform_admin:
        return
    if principal.role_in(organization_id) not in {role.value for role in roles}:
        wanted = " or ".join(role.value for role in roles)
        raise Forbidden(f"Only an organization {wanted} may do this.")


def can_manage(principal: Principal, organization_id: str) -> bool:
    return principal.is_platform_admin or principal.role_in(organization_id) == OrgRole.admin
