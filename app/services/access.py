"""What a principal may see and do: the one place visibility is decided.

Organization profiles are a directory every signed-in user can read (coalitions
must find partners). What an organization keeps about itself (its people,
positions, partner research) is visible only to its own users: to anyone else
it does not exist (404). Seeing a thing but lacking the role to change it is 403.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Row, bindparam
from sqlmodel import Session, select

from app.db import plain_rows
from app.errors import Forbidden, NotFound
from app.models import Coalition, Membership, Organization
from app.models.coalitions import PoweredRole, WhoMayPost
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


@dataclass(frozen=True)
class OrganizationRights:
    """What the principal may do with one organization."""

    sees_private: bool  # its people, positions, partner research: its own users
    may_manage: bool  # change anything about it: its admins
    role: str | None  # the principal's own role in it
    platform_admin: bool

    def may_decide_step(self, approver_role: str) -> bool:
        """Approve or reject one of its approval steps."""
        return self.platform_admin or self.role in roles_deciding(approver_role)


def roles_deciding(approver_role: str) -> set[str]:
    """Who decides an approval step: its approver role, and the organization's admins,
    who decide for the organization anyway."""
    return {OrgRole.admin.value, approver_role}


def organization_rights(principal: Principal, organization_id: str) -> OrganizationRights:
    role = principal.role_in(organization_id)
    return OrganizationRights(
        sees_private=principal.is_member_of(organization_id),
        may_manage=principal.is_platform_admin or role == OrgRole.admin,
        role=role,
        platform_admin=principal.is_platform_admin,
    )


def require_admin(principal: Principal, organization_id: str) -> None:
    """Forbidden unless the principal may manage the organization."""
    if not organization_rights(principal, organization_id).may_manage:
        raise Forbidden("Only an organization admin may do this.")


def admin_organizations(principal: Principal) -> list[str]:
    return [org for org, role in principal.roles.items() if role == OrgRole.admin]


def require_some_admin(principal: Principal) -> None:
    """Forbidden unless the principal is an admin of some organization (or platform admin):
    the shared vocabulary, such as issue areas, grows through organizations' admins."""
    if not (principal.is_platform_admin or admin_organizations(principal)):
        raise Forbidden("Only an organization admin may do this.")


# Coalitions ------------------------------------------------------------------------------
# A listed coalition is visible to every signed-in user; a private one only to the
# organizations invited to it, asking to join it, or taking part in it.

VISIBLE_MEMBERSHIP = {"invited", "requested", "joining", "joined"}


def memberships_of(
    session: Session, coalition_id: str, organization_ids: list[str]
) -> dict[str, Row]:
    """The principal's organizations' memberships in a coalition, by organization id, as
    plain rows of what rights are decided from (`MEMBERSHIP_FACTS`), for reading."""
    if not organization_ids:
        return {}
    rows = plain_rows(
        session, _MEMBERSHIPS, coalition_id=coalition_id, organization_ids=organization_ids
    )
    return {membership.organization_id: membership for membership in rows}


# What rights are decided from. Read as plain rows: every read in a coalition asks for
# them, and loading them as entities cost a third more than the query on PostgreSQL.
MEMBERSHIP_FACTS = (
    Membership.id,
    Membership.coalition_id,
    Membership.organization_id,
    Membership.status,
    Membership.engagement,
    Membership.roles,
)
# Built once: putting it together costs more than running it.
_MEMBERSHIPS = select(*MEMBERSHIP_FACTS).where(
    Membership.coalition_id == bindparam("coalition_id"),
    Membership.organization_id.in_(bindparam("organization_ids", expanding=True)),  # type: ignore[attr-defined]
)


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


@dataclass(frozen=True)
class CoalitionRights:
    """What the principal may do in one coalition, decided here once for services and
    pages alike. An organization acts through its admins; a platform admin may do all."""

    platform_admin: bool
    memberships: dict[str, Row]  # the principal's organizations' memberships (MEMBERSHIP_FACTS)
    admin_of: frozenset[str]  # the organizations the principal is an admin of

    @property
    def takes_part(self) -> bool:
        """Sees the working space (activities, proposals): one of its organizations joined."""
        return self.platform_admin or any(m.status == "joined" for m in self.memberships.values())

    @property
    def joined_admin_organizations(self) -> list[str]:
        """The joined organizations the principal speaks for."""
        return sorted(
            org
            for org, m in self.memberships.items()
            if m.status == "joined" and org in self.admin_of
        )

    @property
    def lead_organization(self) -> str | None:
        """The organization through which the principal acts as a lead, if any."""
        leads = [
            org
            for org in self.joined_admin_organizations
            if self.memberships[org].engagement == "lead"
        ]
        return leads[0] if leads else None

    @property
    def is_lead(self) -> bool:
        return self.platform_admin or self.lead_organization is not None

    def holds_role(self, role: str) -> bool:
        """One of the joined organizations the principal speaks for holds this role."""
        return any(role in self.memberships[org].roles for org in self.joined_admin_organizations)

    @property
    def may_draft(self) -> bool:
        """Draft, edit, open and close the coalition's activities: leads and drafters."""
        return self.is_lead or self.holds_role(PoweredRole.drafter)

    @property
    def may_invite(self) -> bool:
        """Invite organizations: leads and coordinators."""
        return self.is_lead or self.holds_role(PoweredRole.coordinator)

    def may_start_thread(self, who_may_post: str) -> bool:
        """Start a thread on the coalition's list: leads and coordinators always; every
        joined member's admins when the guidelines say members may post."""
        if self.is_lead or self.holds_role(PoweredRole.coordinator):
            return True
        return who_may_post == WhoMayPost.members and bool(self.joined_admin_organizations)

    @property
    def may_reply(self) -> bool:
        """Reply on the coalition's list: any joined member's admins."""
        return self.platform_admin or bool(self.joined_admin_organizations)

    @property
    def may_edit_goals(self) -> bool:
        return self.platform_admin or bool(self.joined_admin_organizations)

    @property
    def may_propose(self) -> bool:
        """Put a proposal to the coalition (and vote, for an organization that may vote)."""
        return self.platform_admin or bool(self.joined_admin_organizations)

    def acts_for(self, organization_id: str) -> bool:
        """Speaks for this organization: its admin (or a platform admin)."""
        return self.platform_admin or organization_id in self.admin_of

    def may_close_proposal(self, proposed_by_organization_id: str) -> bool:
        return self.is_lead or self.acts_for(proposed_by_organization_id)


def coalition_rights(session: Session, principal: Principal, coalition_id: str) -> CoalitionRights:
    """The principal's rights in a coalition, from one query of its memberships."""
    return CoalitionRights(
        platform_admin=principal.is_platform_admin,
        memberships=memberships_of(session, coalition_id, list(principal.roles)),
        admin_of=frozenset(admin_organizations(principal)),
    )


def rights_in_coalitions(
    session: Session, principal: Principal, coalition_ids: Iterable[str]
) -> dict[str, CoalitionRights]:
    """`coalition_rights` in each of several coalitions, from one query of memberships."""
    ids = sorted(set(coalition_ids))
    held: dict[str, dict[str, Row]] = {cid: {} for cid in ids}
    if ids and principal.roles:
        rows = plain_rows(
            session,
            _MEMBERSHIPS_IN_COALITIONS,
            coalition_ids=ids,
            organization_ids=list(principal.roles),
        )
        for membership in rows:
            held[membership.coalition_id][membership.organization_id] = membership
    admin_of = frozenset(admin_organizations(principal))
    return {
        cid: CoalitionRights(
            platform_admin=principal.is_platform_admin, memberships=held[cid], admin_of=admin_of
        )
        for cid in ids
    }


_MEMBERSHIPS_IN_COALITIONS = select(*MEMBERSHIP_FACTS).where(
    Membership.coalition_id.in_(bindparam("coalition_ids", expanding=True)),  # type: ignore[attr-defined]
    Membership.organization_id.in_(bindparam("organization_ids", expanding=True)),  # type: ignore[attr-defined]
)


def require_lead(session: Session, principal: Principal, coalition: Coalition) -> str | None:
    """Forbidden unless the principal is an admin of a lead organization (or platform admin)."""
    rights = coalition_rights(session, principal, coalition.id)
    if not rights.is_lead:
        raise Forbidden("Only an admin of a lead organization of this coalition may do this.")
    return rights.lead_organization


def require_drafter(session: Session, principal: Principal, coalition: Coalition) -> None:
    """Forbidden unless the principal drafts for the coalition: a lead or a `drafter`."""
    if not coalition_rights(session, principal, coalition.id).may_draft:
        raise Forbidden(
            "Only an admin of a lead organization, or of a member with the drafter role, "
            "drafts and opens the coalition's activities."
        )


def require_joined_admin(session: Session, principal: Principal, coalition: Coalition) -> None:
    """Forbidden unless the principal is an admin of an organization taking part."""
    if not coalition_rights(session, principal, coalition.id).may_edit_goals:
        raise Forbidden(
            "Only an admin of an organization taking part in this coalition may do this."
        )


def get_coalition_taking_part(
    session: Session, principal: Principal, coalition_id: str
) -> Coalition:
    """The coalition, for its working space (activities, proposals): only organizations
    taking part see it; to anyone else it does not exist."""
    return coalition_taking_part(session, principal, coalition_id)[0]


def coalition_taking_part(
    session: Session, principal: Principal, coalition_id: str
) -> tuple[Coalition, CoalitionRights]:
    """`get_coalition_taking_part` with the rights it read to decide, for a page that
    shows what they allow too."""
    coalition = get_coalition(session, principal, coalition_id)
    rights = coalition_rights(session, principal, coalition_id)
    if not rights.takes_part:
        raise NotFound("No such coalition.")
    return coalition, rights
