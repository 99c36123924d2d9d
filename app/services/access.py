"""What a principal may see and do: the one place visibility is decided.

Organization profiles are a directory every signed-in user can read (coalitions
must find partners). What an organization keeps about itself (its people,
positions, partner research) is visible only to its own users: to anyone else
it does not exist (404). Seeing a thing but lacking the role to change it is 403.
"""

from sqlmodel import Session, select

from app.errors import Forbidden, NotFound
from app.models import Coalition, Membership, Organization
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


# Coalitions ------------------------------------------------------------------------------
# A listed coalition is visible to every signed-in user; a private one only to the
# organizations invited to it, asking to join it, or taking part in it.

VISIBLE_MEMBERSHIP = {"invited", "requested", "joined"}


def memberships_of(session: Session, coalition_id: str, organization_ids: list[str]) -> dict:
    """The principal's organizations' memberships in a coalition, by organization id."""
    if not organization_ids:
        return {}
    rows = session.exec(
        select(Membership).where(
            Membership.coalition_id == coalition_id,
            Membership.organization_id.in_(organization_ids),  # type: ignore[attr-defined]
        )
    )
    return {membership.organization_id: membership for membership in rows}


def get_coalition(session: Session, principal: Principal, coalition_id: str) -> Coalition:
    coalition = session.get(Coalition, coalition_id)
    if coalition is None:
        raise NotFound("No such coalition.")
    if principal.is_platform_admin or coalition.visibility == "listed":
        return coalition
    mine = memberships_of(session, coalition_id, list(principal.roles))
    if not any(m.status in VISIBLE_MEMBERSHIP for m in mine.values()):
        raise NotFound("No such coalition.")
    return coalition


def admin_organizations(principal: Principal) -> list[str]:
    return [org for org, role in principal.roles.items() if role == OrgRole.admin]


def lead_organization(session: Session, principal: Principal, coalition: Coalition) -> str | None:
    """The organization through which the principal acts as a lead, if any."""
    mine = memberships_of(session, coalition.id, admin_organizations(principal))
    for organization_id, membership in mine.items():
        if membership.status == "joined" and membership.engagement == "lead":
            return organization_id
    return None


def require_lead(session: Session, principal: Principal, coalition: Coalition) -> str | None:
    """Forbidden unless the principal is an admin of a lead organization (or platform admin)."""
    lead = lead_organization(session, principal, coalition)
    if lead is None and not principal.is_platform_admin:
        raise Forbidden("Only an admin of a lead organization of this coalition may do this.")
    return lead


def require_joined_admin(session: Session, principal: Principal, coalition: Coalition) -> None:
    """Forbidden unless the principal is an admin of an organization taking part."""
    if principal.is_platform_admin:
        return
    mine = memberships_of(session, coalition.id, admin_organizations(principal))
    if not any(m.status == "joined" for m in mine.values()):
        raise Forbidden(
            "Only an admin of an organization taking part in this coalition may do this."
        )


def get_coalition_taking_part(
    session: Session, principal: Principal, coalition_id: str
) -> Coalition:
    """The coalition, for its working space (activities, proposals): only organizations
    taking part see it; to anyone else it does not exist."""
    coalition = get_coalition(session, principal, coalition_id)
    if principal.is_platform_admin:
        return coalition
    mine = memberships_of(session, coalition_id, list(principal.roles))
    if not any(m.status == "joined" for m in mine.values()):
        raise NotFound("No such coalition.")
    return coalition
