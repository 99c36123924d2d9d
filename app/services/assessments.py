"""The alignment check fed from the database: an organization's positions and capacity
against what a coalition or one of its activities works for or against."""

from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from app.errors import Invalid
from app.models import (
    Activity,
    Coalition,
    IssueArea,
    Membership,
    Organization,
    Position,
    ResearchNote,
)
from app.models.coalitions import Engagement, MembershipStatus
from app.principal import Principal
from app.schemas.coalitions import IssuePosition
from app.services import access, alignment


def reader_organization(
    session: Session, principal: Principal, organization_id: str | None
) -> Organization:
    """The organization whose fit is asked about: the one named, or the reader's only one.
    Its positions are private, so it must be one of the reader's own."""
    if organization_id is None:
        if len(principal.roles) != 1:
            raise Invalid.field(["query", "organization_id"], "Say which organization to check.")
        organization_id = next(iter(principal.roles))
    return access.get_organization(session, principal, organization_id, private=True)


def stated(positions: list[IssuePosition] | None) -> list[tuple[str, str]] | None:
    if positions is None:
        return None
    return [(p.issue_area_id, p.stance) for p in positions]


def stances(holder: Coalition | Activity) -> dict[str, str]:
    """What a coalition or an activity works for ("support") or against ("oppose")."""
    return {p["issue_area_id"]: p["stance"] for p in holder.issue_positions}


def alignment_view(
    result: alignment.Alignment,
    *,
    coalition_id: str,
    organization_id: str,
    activity_id: str | None = None,
) -> dict[str, Any]:
    return {
        "coalition_id": coalition_id,
        "activity_id": activity_id,
        "organization_id": organization_id,
        "verdict": result.verdict,
        "issues": [issue.__dict__ for issue in result.issues],
        "recommended_engagement": result.recommended_engagement,
        "reasons": result.reasons,
    }


def assess_organization(
    session: Session,
    organization: Organization,
    *,
    works: dict[str, str],
    kinds: set[str],
    dues: float,
    coalition_id: str,
    subject: str = "this coalition",
) -> alignment.Alignment:
    """The alignment rules fed with the organization's positions and capacity, against
    what the coalition or ask `works` for or against per issue area."""
    issue_area_ids = list(works)
    areas = {area.id: area for area in session.exec(_AREAS, params={"ids": issue_area_ids})}
    positions = {
        position.issue_area_id: position
        for position in session.exec(
            _POSITIONS,
            params={"organization_id": organization.id, "issue_area_ids": issue_area_ids},
        )
    }
    on_issues = []
    for area_id in issue_area_ids:
        position = positions.get(area_id)
        on_issues.append(
            alignment.StanceOnIssue(
                issue_area_id=area_id,
                issue_area_name=areas[area_id].name if area_id in areas else area_id,
                stance=position.stance if position else None,
                priority=position.priority if position else None,
                limitations=position.limitations if position else None,
                works=works[area_id],
                limited_activity_kinds=tuple(position.limited_activity_kinds if position else ()),
            )
        )
    elsewhere = {"organization_id": organization.id, "coalition_id": coalition_id}
    lead_roles = len(session.exec(_LEAD_ROLES_ELSEWHERE, params=elsewhere).all())
    capacity = alignment.Capacity(
        staff_count=organization.staff_count,
        volunteer_count=organization.volunteer_count,
        lead_roles_held=lead_roles,
        dues_amount=dues,
        hours_committed=_hours_elsewhere(
            session, organization_id=organization.id, coalition_id=coalition_id
        ),
    )
    room = _room(session, organization_id=organization.id, coalition_id=coalition_id)
    return alignment.assess(on_issues, capacity, room=room, kinds=kinds, subject=subject)


def _hours_elsewhere(session: Session, *, organization_id: str, coalition_id: str) -> float:
    hours = session.exec(
        _HOURS_ELSEWHERE, params={"organization_id": organization_id, "coalition_id": coalition_id}
    ).one()
    return float(hours)


def _room(session: Session, *, organization_id: str, coalition_id: str) -> alignment.Room:
    """The coalition's members as the organization knows them from its own research."""
    asked = {"organization_id": organization_id, "coalition_id": coalition_id}
    rows = session.exec(_ROOM, params=asked).all()
    own = next((engagement for org, engagement, _ in rows if org == organization_id), None)
    others = {org: name for org, _, name in rows if org != organization_id}
    notes = session.exec(_NOTES_ON_MEMBERS, params=asked).all() if others else []
    researched = {note.subject_organization_id for note in notes}
    doubted = sorted(others[n.subject_organization_id] for n in notes if n.reputable is False)
    return alignment.Room(
        members=len(others),
        not_reputable=tuple(dict.fromkeys(doubted)),
        unresearched=len(set(others) - researched),
        current_engagement=own,
    )


# Built once: the coalition's overview assesses it for each of the reader's organizations on
# every visit, and putting these statements together cost more than running them.
_AREAS = select(IssueArea).where(IssueArea.id.in_(bindparam("ids", expanding=True)))  # type: ignore[attr-defined]
_POSITIONS = select(Position).where(
    Position.organization_id == bindparam("organization_id"),
    Position.issue_area_id.in_(bindparam("issue_area_ids", expanding=True)),  # type: ignore[attr-defined]
)
_LEAD_ROLES_ELSEWHERE = select(Membership.id).where(
    Membership.organization_id == bindparam("organization_id"),
    Membership.status == MembershipStatus.joined,
    Membership.engagement == Engagement.lead,
    Membership.coalition_id != bindparam("coalition_id"),
)
_HOURS_ELSEWHERE = select(func.coalesce(func.sum(Membership.commitment_hours_per_month), 0)).where(
    Membership.organization_id == bindparam("organization_id"),
    Membership.status == MembershipStatus.joined,
    Membership.coalition_id != bindparam("coalition_id"),
)
# Plain columns, not entities: a large coalition has hundreds of members, and loading each
# membership and organization whole costs more than the rest of the assessment.
_ROOM = (
    select(Membership.organization_id, Membership.engagement, Organization.name)
    .join(Organization, Organization.id == Membership.organization_id)
    .where(
        Membership.coalition_id == bindparam("coalition_id"),
        Membership.status == MembershipStatus.joined,
    )
)
# The members asked for in the query itself, not as a list of hundreds of ids: binding each
# id cost more than reading the notes.
_NOTES_ON_MEMBERS = select(ResearchNote).where(
    ResearchNote.author_organization_id == bindparam("organization_id"),
    ResearchNote.subject_organization_id.in_(  # type: ignore[attr-defined]
        select(Membership.organization_id).where(
            Membership.coalition_id == bindparam("coalition_id"),
            Membership.status == MembershipStatus.joined,
            Membership.organization_id != bindparam("organization_id"),
        )
    ),
)
