"""Coalitions and their membership life cycle: invite, ask, join, decline, leave."""

from collections import Counter
from statistics import median
from typing import Any

from sqlalchemy import bindparam, func, or_
from sqlmodel import Session, select

from app import clock, labels
from app.concurrency import check_version
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.ids import new_id
from app.models import (
    Activity,
    Coalition,
    Event,
    EventAudience,
    IssueArea,
    Membership,
    MembershipChange,
    Organization,
    Proposal,
)
from app.models.coalitions import GUIDELINE_FIELDS, Engagement, MembershipStatus, PoweredRole
from app.pagination import BY_ID, Order, Page, containing, paginate
from app.principal import Principal
from app.schemas.coalitions import (
    CoalitionCreate,
    CoalitionUpdate,
    MembershipCreate,
    MembershipUpdate,
)
from app.services import (
    access,
    accounts,
    activities,
    alignment,
    approvals,
    assessments,
    events,
    guidelines,
    organizations,
    proposals,
    snapshots,
)

COMMUNITY_ROOTED = {"community", "faith"}
# Who may set which membership fields: the coalition's leads, or the member itself.
LEAD_FIELDS = {"engagement", "roles"}
OWN_FIELDS = {"commitment_hours_per_month", "game_plan", "game_plan_note"}
# Why a member's open decisions and votes were withdrawn, in its history.
LEFT = "Left the coalition."


def _check_issue_areas(session: Session, ids: list[str]) -> None:
    if not ids:
        return
    found = set(session.exec(select(IssueArea.id).where(IssueArea.id.in_(ids))).all())  # type: ignore[attr-defined]
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid.field(["body", "issue_area_ids"], f"No such issue area: {missing[0]}.")


def create_coalition(
    session: Session, principal: Principal, coalition_in: CoalitionCreate
) -> Coalition:
    """A new coalition; its convening organization joins as its first lead."""
    convener = coalition_in.convener_organization_id
    if not access.organization_rights(principal, convener).may_manage:
        raise Invalid.field(
            ["body", "convener_organization_id"],
            "The convener must be an organization you are an admin of.",
        )
    access.get_organization(session, principal, convener)
    values = coalition_in.model_dump(mode="json", exclude={"issue_positions"})
    stated = assessments.stated(coalition_in.issue_positions)
    if not values["issue_area_ids"] and stated:
        values["issue_area_ids"] = [area for area, _ in stated]  # stances name the areas
    _check_issue_areas(session, values["issue_area_ids"])
    values["issue_positions"] = alignment.issue_positions(values["issue_area_ids"], stated)
    moment = clock.now()
    coalition = Coalition(
        id=new_id("coa"),
        **values,
        guidelines_agreed_at=moment,
        created_at=moment,
        updated_at=moment,
    )
    session.add(coalition)
    session.flush()
    membership = Membership(
        id=new_id("mem"),
        coalition_id=coalition.id,
        organization_id=convener,
        status=MembershipStatus.joined,
        engagement=Engagement.lead,
        roles=["convener"],
        joined_at=moment,
        created_at=moment,
        updated_at=moment,
    )
    session.add(membership)
    session.flush()
    _announce(session, principal, "coalition.created", coalition)
    _record(session, principal, coalition, membership, {"status": [None, "joined"]})
    return coalition


def _announce(
    session: Session, principal: Principal | None, type: str, coalition: Coalition, **details: Any
) -> None:
    """Tell the coalition's members it changed, with the coalition as read."""
    events.emit(
        session,
        type,
        {"coalition_id": coalition.id, "name": coalition.name, **details,
         "version": coalition.version, "object": snapshots.coalition(coalition)},
        visible_to=events.coalition_audience(session, coalition.id),
        coalition_id=coalition.id,
        actor=principal,
    )  # fmt: skip


def list_coalitions(
    session: Session,
    principal: Principal,
    *,
    scope: str = "visible",
    limit: int = 50,
    cursor: str | None = None,
    q: str | None = None,
    sort: str | None = None,
    others: bool = False,
) -> Page:
    """`visible`: all the principal may see; `mine`: taking part; `invited`: invitations
    waiting on the principal's organizations; `directory`: listed coalitions (`others`:
    only those none of the principal's organizations is in or invited to). By id, or in
    one of COALITION_ORDERS; `q` keeps those whose name or issue holds every word of it."""
    statement = select(Coalition)
    orgs = list(principal.roles)
    wanted = {"mine": ["joined"], "invited": ["invited"]}.get(scope)
    if wanted is not None:
        statement = statement.where(
            Coalition.id.in_(  # type: ignore[attr-defined]
                select(Membership.coalition_id).where(
                    Membership.organization_id.in_(orgs),  # type: ignore[attr-defined]
                    Membership.status.in_(wanted),  # type: ignore[attr-defined]
                )
            )
        )
    elif scope == "directory":
        statement = statement.where(Coalition.visibility == "listed")
        if others:
            statement = statement.where(
                Coalition.id.not_in(  # type: ignore[attr-defined]
                    select(Membership.coalition_id).where(
                        Membership.organization_id.in_(orgs),  # type: ignore[attr-defined]
                        Membership.status.in_(access.VISIBLE_MEMBERSHIP),  # type: ignore[attr-defined]
                    )
                )
            )
    elif not principal.is_platform_admin:
        statement = statement.where(
            or_(
                Coalition.visibility == "listed",
                Coalition.id.in_(  # type: ignore[attr-defined]
                    select(Membership.coalition_id).where(
                        Membership.organization_id.in_(orgs),  # type: ignore[attr-defined]
                        Membership.status.in_(access.VISIBLE_MEMBERSHIP),  # type: ignore[attr-defined]
                    )
                ),
            )
        )
    found = containing([Coalition.name, Coalition.unifying_issue], q)  # type: ignore[list-item]
    if found is not None:
        statement = statement.where(found)
    order = COALITION_ORDERS.get(sort or "", BY_ID)
    return paginate(session, statement, Coalition.id, limit=limit, cursor=cursor, order=order)  # type: ignore[arg-type]


COALITION_ORDERS = {"name": Order(Coalition.name), "newest": Order(newest=True)}  # type: ignore[arg-type]


def get_coalition(session: Session, principal: Principal, coalition_id: str) -> Coalition:
    return access.get_coalition(session, principal, coalition_id)


def update_coalition(
    session: Session,
    principal: Principal,
    coalition_id: str,
    changes: CoalitionUpdate,
    *,
    expected_version: int | None = None,
) -> Coalition:
    coalition = access.get_coalition(session, principal, coalition_id)
    access.require_lead(session, principal, coalition)
    check_version(coalition.version, expected_version)
    values = changes.model_dump(mode="json", exclude_unset=True)
    required_fields = ("name", "unifying_issue", "status", "decision_rule", "quorum", "visibility")
    for required in (*required_fields, "activity_approval", "who_may_post"):
        if required in values and values[required] is None:
            raise Invalid.field(["body", required], "This field cannot be empty.")
    if values.get("issue_area_ids"):
        _check_issue_areas(session, values["issue_area_ids"])
    stated = assessments.stated(changes.issue_positions)
    values.pop("issue_positions", None)
    for field in ("issue_area_ids", "allowed_activity_kinds"):
        if field in values and values[field] is None:
            values[field] = []
    if "dues_amount" in values and values["dues_amount"] is None:
        values["dues_amount"] = 0
    agreed = {field: values.pop(field) for field in GUIDELINE_FIELDS if field in values}
    guidelines.check_direct_change(session, coalition, agreed)
    # The guidelines first, as a change of their own (their own version and event); the
    # rest of the patch, if any, after them as `coalition.updated`.
    before = coalition.version
    guidelines.apply(session, coalition, agreed, proposal_id=None, actor=principal)
    for field, value in values.items():
        setattr(coalition, field, value)
    positions = alignment.issue_positions(
        coalition.issue_area_ids, stated, previous=coalition.issue_positions
    )
    if values or positions != coalition.issue_positions or coalition.version == before:
        coalition.issue_positions = positions
        coalition.version += 1
        coalition.updated_at = clock.now()
        session.add(coalition)
        session.flush()
        _announce(
            session, principal, "coalition.updated", coalition,
            changed=sorted({*values, *(["issue_positions"] if stated else [])}),
        )  # fmt: skip
    return coalition


# Size and composition ----------------------------------------------------------------


def joined_organizations(session: Session, coalition_id: str) -> list[Any]:
    """The joined members' kind, communities and expertise, as plain rows: a coalition of
    hundreds is counted, not loaded into the session."""
    return list(session.exec(_JOINED, params={"coalition_id": coalition_id}).all())


# Built once: every visit to a coalition's overview counts its members.
_JOINED = (
    select(Organization.kind, Organization.communities, Organization.expertise)
    .join(Membership, Membership.organization_id == Organization.id)
    .where(
        Membership.coalition_id == bindparam("coalition_id"),
        Membership.status == MembershipStatus.joined,
        Organization.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    .order_by(Organization.name)
)


def board_members(session: Session, coalition_id: str, *, limit: int = 200) -> list[Any]:
    """The joined members among the coalition's first `limit` memberships (the member
    list's order), as (organization id, name) rows: the rows of the leads' board."""
    rows = session.exec(
        select(Membership.organization_id, Organization.name, Membership.status)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.coalition_id == coalition_id)
        .order_by(Membership.id)
        .limit(limit)
    ).all()
    return [(org, name) for org, name, status in rows if status == MembershipStatus.joined]


def partner_profiles(session: Session, coalition_id: str) -> dict[str, Any]:
    """The joined members as a partner card shows them (kind, size, communities, website),
    by organization id: what an organization weighing up joining needs to know of them."""
    rows = session.exec(
        select(
            Organization.id, Organization.kind, Organization.staff_count,
            Organization.volunteer_count, Organization.communities, Organization.website,
        )
        .join(Membership, Membership.organization_id == Organization.id)
        .where(
            Membership.coalition_id == coalition_id,
            Membership.status == MembershipStatus.joined,
            Organization.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    )  # fmt: skip
    return {row.id: row for row in rows.all()}


def member_count(session: Session, coalition_id: str) -> int:
    """How many organizations have joined: the size a coalition's page heads with."""
    return session.exec(
        select(func.count())
        .select_from(Membership)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(
            Membership.coalition_id == coalition_id,
            Membership.status == MembershipStatus.joined,
            Organization.deleted_at.is_(None),  # type: ignore[union-attr]
        )
    ).one()


def spokespeople(session: Session, coalition_id: str) -> list[str]:
    """The names of the members that speak for the coalition (role `spokesperson`), as its
    letters and reports name them."""
    rows = session.exec(
        select(Organization.name, Membership.roles)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(
            Membership.coalition_id == coalition_id,
            Membership.status == MembershipStatus.joined,
        )
        .order_by(Organization.name)
    )
    return [name for name, roles in rows if PoweredRole.spokesperson in roles]


NO_COMMUNITY_GROUP = "No community or faith groups."


def composition_for(composition: dict[str, Any], *, kind: str, name: str) -> list[str]:
    """The composition's reasons as the organization weighing up joining reads them: a
    gap it would fill is said so, not told to it as if it were not there."""
    reasons = list(composition["reasons"])
    if kind in COMMUNITY_ROOTED and NO_COMMUNITY_GROUP in reasons:
        reasons[reasons.index(NO_COMMUNITY_GROUP)] = (
            f"No community or faith group has joined yet: {name} would be the first."
        )
    return reasons


def composition(organizations: list[Any]) -> dict[str, Any]:
    """Who is represented, and whether the membership is well-rounded (with reasons)."""
    kinds = Counter(organization.kind for organization in organizations)
    communities = sorted({c for o in organizations for c in o.communities})
    expertise = sorted({e for o in organizations for e in o.expertise})
    shortcomings = []
    if len(organizations) < 3:
        shortcomings.append(
            f"Only {labels.counted(len(organizations), 'member')}: a coalition speaks louder "
            "with more voices."
        )
    if len(kinds) == 1 and len(organizations) > 1:
        kind = next(iter(kinds))
        shortcomings.append(
            f"All members are {labels.plural(kind, 'organization_kind')}."
            if kind != "other"
            else "All members are alike."
        )
    if not COMMUNITY_ROOTED & kinds.keys():
        shortcomings.append(NO_COMMUNITY_GROUP)
    if len(communities) < 2:
        shortcomings.append("Few communities are represented.")
    reasons = shortcomings or [
        f"{len(kinds)} kinds of organizations.",
        f"{len(communities)} communities represented.",
    ]
    return {
        "by_kind": dict(sorted(kinds.items())),
        "communities": communities,
        "expertise": expertise,
        "well_rounded": not shortcomings,
        "reasons": reasons,
    }


def size_implications(members: int, decision_days: list[float]) -> dict[str, Any]:
    """What the coalition's size means for a member, in words."""
    summary = []
    share = 1 / members if members else None
    if members == 1:
        summary.append("With one member so far, it carries all of the work.")
    elif share is not None:
        summary.append(
            f"With {labels.counted(members, 'member')}, each carries about "
            f"{labels.percent(share)} of the work."
        )
    if 0 < members < 4:
        summary.append(
            "A small coalition: expect to give more time, and a chance to take the lead."
        )
    elif members >= 10:
        summary.append(
            "A large coalition: the work is shared widely, but decisions may take longer "
            "and need more compromise."
        )
    typical = median(decision_days) if decision_days else None
    if typical is None:
        summary.append("No coalition decisions recorded yet.")
    else:
        summary.append(f"Its past decisions usually took {labels.days(typical)}.")
    return {
        "members": members,
        "share_of_work": share,
        "median_decision_days": typical,
        "summary": summary,
    }


def decision_days(session: Session, coalition_id: str) -> list[float]:
    """How long the coalition's past decisions took: closed proposals (opened to closed)
    and closed sign-on collections (opened to closed)."""
    asked = {"coalition_id": coalition_id}
    spans = [
        *session.exec(_PROPOSALS_CLOSED, params=asked).all(),
        *session.exec(_COLLECTIONS_CLOSED, params=asked).all(),
    ]
    return [(end - start).total_seconds() / 86400 for start, end in spans if start and end]


# Built once, as every visit to a coalition's overview reads them.
_PROPOSALS_CLOSED = select(Proposal.created_at, Proposal.closed_at).where(
    Proposal.coalition_id == bindparam("coalition_id"),
    Proposal.closed_at.is_not(None),  # type: ignore[union-attr]
)
_COLLECTIONS_CLOSED = select(Activity.opened_at, Activity.closed_at).where(
    Activity.coalition_id == bindparam("coalition_id"),
    Activity.collects_signatures.is_(True),  # type: ignore[attr-defined]
    Activity.closed_at.is_not(None),  # type: ignore[union-attr]
)


def coalition_detail(session: Session, principal: Principal, coalition_id: str) -> dict:
    coalition = access.get_coalition(session, principal, coalition_id)
    organizations = joined_organizations(session, coalition_id)
    return {
        **coalition.model_dump(),
        "guidelines_agreed_by": guidelines.agreed_by(session, coalition),
        "size": len(organizations),
        "composition": composition(organizations),
        "size_implications": size_implications(
            len(organizations), decision_days(session, coalition_id)
        ),
    }


# Membership --------------------------------------------------------------------------


def _membership_rows(
    session: Session, principal: Principal, pairs: list[tuple[Membership, Organization]]
) -> list[dict[str, Any]]:
    """Memberships as read, each with its own approval of joining when it has one (seen
    whole by its own organization, as a forecast by the others)."""
    own = {
        m.organization_id
        for m, _ in pairs
        if access.organization_rights(principal, m.organization_id).sees_private
    }
    approval_of = approvals.views_for_memberships(session, [m.id for m, _ in pairs], full_for=own)
    return [
        {
            **membership.model_dump(),
            "organization_name": organization.name,
            "organization_kind": organization.kind,
            "approval": approval_of.get(membership.id),
        }
        for membership, organization in pairs
    ]


def _membership_row(
    session: Session, principal: Principal, membership: Membership
) -> dict[str, Any]:
    organization = session.get(Organization, membership.organization_id)
    assert organization is not None
    return _membership_rows(session, principal, [(membership, organization)])[0]


def list_members(
    session: Session,
    principal: Principal,
    coalition_id: str,
    *,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    access.get_coalition(session, principal, coalition_id)
    statement = (
        select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.coalition_id == coalition_id)
    )
    if status:
        statement = statement.where(Membership.status == status)
    page = paginate(session, statement, Membership.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    page.items = _membership_rows(session, principal, list(page.items))
    return page


def members_of(
    session: Session, principal: Principal, coalition_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """The members of several coalitions the principal sees (`expand=members`), by
    coalition id, read for all of them at once: a fixed number of queries."""
    found: dict[str, list[dict[str, Any]]] = {id_: [] for id_ in coalition_ids}
    if not coalition_ids:
        return found
    pairs = session.exec(
        select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.coalition_id.in_(coalition_ids))  # type: ignore[attr-defined]
        .order_by(Membership.id)  # type: ignore[arg-type]
    ).all()
    for row in _membership_rows(session, principal, list(pairs)):
        found[row["coalition_id"]].append(row)
    return found


def _membership(session: Session, *, coalition_id: str, organization_id: str) -> Membership:
    membership = session.exec(
        select(Membership).where(
            Membership.coalition_id == coalition_id,
            Membership.organization_id == organization_id,
        )
    ).first()
    if membership is None:
        raise NotFound("This organization is not part of this coalition.")
    return membership


def get_member(
    session: Session, principal: Principal, *, coalition_id: str, organization_id: str
) -> dict[str, Any]:
    access.get_coalition(session, principal, coalition_id)
    membership = _membership(session, coalition_id=coalition_id, organization_id=organization_id)
    return _membership_row(session, principal, membership)


def invite(
    session: Session, principal: Principal, coalition_id: str, invite_in: MembershipCreate
) -> dict[str, Any]:
    """A lead invites an organization; an organization's admin asks to join a listed one."""
    coalition = access.get_coalition(session, principal, coalition_id)
    organization_id = invite_in.organization_id
    try:
        organization = access.get_organization(session, principal, organization_id)
    except NotFound:
        raise Invalid.field(["body", "organization_id"], "No such organization.") from None
    rights = access.coalition_rights(session, principal, coalition.id)
    asks_for_itself = access.organization_rights(principal, organization_id).may_manage
    if rights.may_invite:
        new_status = MembershipStatus.invited
    elif asks_for_itself and coalition.visibility == "listed":
        new_status = MembershipStatus.requested
    else:
        raise Forbidden("Only an admin of a lead organization may invite to this coalition.")
    commitment = invite_in.model_dump(include=OWN_FIELDS, exclude_unset=True)
    if commitment and new_status == MembershipStatus.invited:
        field = sorted(commitment)[0]
        raise Forbidden(f"Only the organization's own admin sets its {field}, when it answers.")

    existing = session.exec(
        select(Membership).where(
            Membership.coalition_id == coalition_id, Membership.organization_id == organization_id
        )
    ).first()
    if existing is not None and existing.status in access.VISIBLE_MEMBERSHIP:
        raise Conflict(
            f"{organization.name} is already listed in this coalition "
            f"({labels.label(existing.status, 'membership')}).",
            code="already_in_coalition",
        )
    moment = clock.now()
    membership = existing or Membership(
        id=new_id("mem"),
        coalition_id=coalition_id,
        organization_id=organization_id,
        status=new_status,
        created_at=moment,
        updated_at=moment,
        version=0,
    )
    before = membership.status if existing else None
    membership.status = new_status
    membership.engagement = invite_in.engagement or membership.engagement
    membership.roles = invite_in.roles or membership.roles
    membership.invitation_note = invite_in.note
    for field, value in commitment.items():
        setattr(membership, field, value)
    membership.version += 1
    membership.updated_at = moment
    session.add(membership)
    session.flush()
    _record(session, principal, coalition, membership, {"status": [before, new_status]})
    return _membership_row(session, principal, membership)


def update_member(
    session: Session,
    principal: Principal,
    *,
    coalition_id: str,
    organization_id: str,
    changes: MembershipUpdate,
    expected_version: int | None = None,
) -> dict[str, Any]:
    coalition = access.get_coalition(session, principal, coalition_id)
    membership = _membership(session, coalition_id=coalition_id, organization_id=organization_id)
    rights = access.coalition_rights(session, principal, coalition.id)
    is_lead, is_own = rights.is_lead, rights.acts_for(organization_id)
    if not (is_lead or is_own):
        raise Forbidden("Only this organization's admin or a coalition lead may change this.")
    check_version(membership.version, expected_version)
    values = changes.model_dump(mode="json", exclude_unset=True)
    for required in ("engagement", "commitment_hours_per_month", "game_plan"):
        if required in values and values[required] is None:
            raise Invalid.field(["body", required], "This field cannot be empty.")
    target = values.pop("status", None)
    joining = target == "joined" and membership.status == "invited"
    if membership.status == MembershipStatus.joining and values:
        raise Conflict(
            "The organization's approvers are deciding on this commitment: withdraw the "
            "request to join (status declined) and ask again to change it.",
            code="membership_joining",
        )

    for field, value in values.items():
        if field in OWN_FIELDS and not is_own:
            raise Forbidden(f"Only the organization's own admin sets its {field}.")
        if field in LEAD_FIELDS and not _may_set(field, value, is_lead, is_own, joining):
            raise Forbidden(f"Only a coalition lead changes {field}.")
    if target is not None and target != membership.status:
        _check_transition(membership.status, target, is_lead=is_lead, is_own=is_own)

    before = membership.model_dump()
    for field, value in values.items():
        setattr(membership, field, [] if field == "roles" and value is None else value)
    steps = approvals.joining_steps(session, organization_id) if target == "joined" else []
    if target is not None:
        # With a process for joining, the organization's approvers decide first.
        membership.status = MembershipStatus.joining if steps else target
        if membership.status == MembershipStatus.joined:
            membership.joined_at = clock.now()
    _keep_a_lead(session, coalition_id, membership, before)
    changed = {
        field: [before[field], getattr(membership, field)]
        for field in ("status", *values)
        if before[field] != getattr(membership, field)
    }
    if not changed:
        return _membership_row(session, principal, membership)
    membership.version += 1
    membership.updated_at = clock.now()
    session.add(membership)
    session.flush()
    if steps:
        request = approvals.start_joining(session, membership, steps)
        _record(session, principal, coalition, membership, changed, approval_id=request.id)
    else:
        _record(session, principal, coalition, membership, changed)
    if before["status"] == MembershipStatus.joining:
        approvals.withdraw_joining(session, membership, actor=principal)
    if "status" in changed:
        _follow_status(session, principal, membership)
    return _membership_row(session, principal, membership)


def follow_joining(session: Session, event: Event, _: list[EventAudience]) -> None:
    """Listener: when an organization's approval of joining ends, the membership follows it.
    The last approval joins with the commitment its approvers saw; a rejection declines."""
    data = event.data
    if event.type != "approval.completed" or not data.get("membership_id"):
        return
    outcome = {"approved": MembershipStatus.joined, "rejected": MembershipStatus.declined}
    membership = session.get(Membership, data["membership_id"])
    if membership is None or membership.status != MembershipStatus.joining:
        return  # withdrawn: whoever withdrew it has moved the membership already
    if data.get("status") not in outcome:
        return
    coalition = session.get(Coalition, membership.coalition_id)
    assert coalition is not None
    actor = (
        accounts.principal_for_user_id(session, event.actor_user_id)
        if event.actor_user_id
        else None
    )
    membership.status = outcome[data["status"]]
    changes: dict[str, list[Any]] = {"status": [MembershipStatus.joining, membership.status]}
    if membership.status == MembershipStatus.joined:
        membership.joined_at = clock.now()
        changes["commitment"] = [None, _commitment(membership, coalition)]
    membership.version += 1
    membership.updated_at = clock.now()
    session.add(membership)
    session.flush()
    _record(session, actor, coalition, membership, changes, approval_id=data["approval_id"])
    if actor is not None:
        _follow_status(session, actor, membership)


def _commitment(membership: Membership, coalition: Coalition) -> dict[str, Any]:
    """What the organization committed to when it joined, as its history keeps it."""
    return {
        "engagement": membership.engagement,
        "roles": list(membership.roles),
        "commitment_hours_per_month": membership.commitment_hours_per_month,
        "game_plan": membership.game_plan,
        "game_plan_note": membership.game_plan_note,
        "dues_amount": coalition.dues_amount,
    }


def _follow_status(session: Session, principal: Principal, membership: Membership) -> None:
    """What a membership's new status means for what the coalition has open: a member that
    joins is asked for it too; one that leaves lets go of its open asks and votes (its
    people's bell follows `membership.changed`, in services/event_notifications.py)."""
    ids = {"coalition_id": membership.coalition_id, "organization_id": membership.organization_id}
    if membership.status == MembershipStatus.joined:
        activities.ask_new_member(session, principal, **ids)
    elif membership.status == MembershipStatus.left:
        activities.withdraw_leaving_member(session, principal, **ids, comment=LEFT)
        proposals.withdraw_votes(session, principal, **ids, comment=LEFT)


def _may_set(field: str, value: Any, is_lead: bool, is_own: bool, joining: bool) -> bool:
    """Leads set engagement and roles; a member sets its own when joining, and may later
    change its own engagement, short of making itself a lead."""
    if is_lead or (is_own and joining):
        return True
    return is_own and field == "engagement" and value != Engagement.lead


# (from, to) -> who may make that move. "joined" may land on "joining" first, when the
# organization's approval process covers joining; its approvers then decide.
_TRANSITIONS = {
    ("invited", "joined"): "own",
    ("invited", "declined"): "own",
    ("requested", "joined"): "lead",
    ("requested", "declined"): "lead",
    ("joined", "left"): "either",
    ("invited", "left"): "lead",  # withdrawing an invitation
    ("joining", "declined"): "own",  # no longer asking: the approval is withdrawn
    ("joining", "left"): "lead",  # withdrawing the invitation while its approvers decide
}


def _check_transition(current: str, target: str, *, is_lead: bool, is_own: bool) -> None:
    if (current, target) == ("joining", "joined"):
        raise Conflict(
            "This organization joins when the last step of its own approval is approved.",
            code="membership_joins_through_approval",
        )
    who = _TRANSITIONS.get((current, target))
    if who is None:
        raise Conflict(
            f"A membership cannot go from {current} to {target}.",
            code="membership_transition_not_allowed",
        )
    allowed = {"own": is_own, "lead": is_lead, "either": is_own or is_lead}[who]
    if not allowed:
        actor = "the organization's own admin" if who == "own" else "a coalition lead"
        raise Forbidden(f"Only {actor} may move a membership from {current} to {target}.")


def _keep_a_lead(
    session: Session, coalition_id: str, membership: Membership, before: dict[str, Any]
) -> None:
    was_lead = before["status"] == "joined" and before["engagement"] == "lead"
    still_lead = membership.status == "joined" and membership.engagement == "lead"
    if not was_lead or still_lead:
        return
    other_leads = session.exec(
        select(Membership.id).where(
            Membership.coalition_id == coalition_id,
            Membership.status == MembershipStatus.joined,
            Membership.engagement == Engagement.lead,
            Membership.id != membership.id,
        )
    ).first()
    if other_leads is None:
        raise Conflict(
            "A coalition needs a lead: name another lead before this one steps back.",
            code="last_lead",
        )


def leave(
    session: Session, principal: Principal, *, coalition_id: str, organization_id: str
) -> dict[str, Any]:
    return update_member(
        session,
        principal,
        coalition_id=coalition_id,
        organization_id=organization_id,
        changes=MembershipUpdate(status="left"),
    )


def _record(
    session: Session,
    principal: Principal | None,
    coalition: Coalition,
    membership: Membership,
    changes: dict[str, list[Any]],
    *,
    approval_id: str | None = None,
) -> None:
    """Every membership change goes into its history and out as `membership.changed`."""
    session.add(
        MembershipChange(
            id=new_id("mch"),
            membership_id=membership.id,
            actor_user_id=principal.user_id if principal else None,
            changes=changes,
            created_at=clock.now(),
        )
    )
    audience = events.coalition_audience(session, coalition.id) | {membership.organization_id}
    status = changes.get("status", [membership.status, membership.status])
    organization = session.get(Organization, membership.organization_id)
    assert organization is not None
    events.emit(
        session,
        "membership.changed",
        {
            "coalition_id": coalition.id,
            "organization_id": membership.organization_id,
            "from": status[0],
            "to": status[1],
            "engagement": membership.engagement,
            "changes": changes,
            "approval_id": approval_id,
            "version": membership.version,
            "object": snapshots.membership(membership, organization),
        },
        visible_to=audience,
        coalition_id=coalition.id,
        actor=principal,
    )


def membership_history(
    session: Session, principal: Principal, *, coalition_id: str, organization_id: str
) -> list[dict[str, Any]]:
    access.get_coalition(session, principal, coalition_id)
    membership = _membership(session, coalition_id=coalition_id, organization_id=organization_id)
    rows = session.exec(
        select(MembershipChange)
        .where(MembershipChange.membership_id == membership.id)
        .order_by(MembershipChange.id)  # type: ignore[arg-type]
    )
    return [{**row.model_dump(), "organization_id": organization_id} for row in rows]


# Alignment ---------------------------------------------------------------------------


def alignment_for(
    session: Session, principal: Principal, *, coalition_id: str, organization_id: str | None
) -> dict[str, Any]:
    """How the coalition fits one of the principal's organizations (its positions are private)."""
    coalition = access.get_coalition(session, principal, coalition_id)
    organization = assessments.reader_organization(session, principal, organization_id)
    result = assessments.assess_organization(
        session,
        organization,
        works=assessments.stances(coalition),
        kinds=set(coalition.allowed_activity_kinds),
        dues=coalition.dues_amount,
        coalition_id=coalition.id,
    )
    return assessments.alignment_view(
        result, coalition_id=coalition.id, organization_id=organization.id
    )


def coalition_names(session: Session, ids: set[str]) -> dict[str, str]:
    return organizations.names_by_id(session, Coalition, ids)
