"""Organizations and their people, issue areas, positions and partner research."""

from typing import Any

from sqlalchemy import Row, bindparam, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import clock
from app.concurrency import check_version
from app.errors import Conflict, Invalid, NotFound, PreconditionFailed
from app.ids import new_id
from app.models import IssueArea, Organization, OrganizationUser, Position, ResearchNote, User
from app.models.organizations import OrgRole
from app.pagination import BY_ID, Order, Page, containing, paginate
from app.principal import Principal
from app.schemas.organizations import (
    IssueAreaCreate,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
    OrganizationUserCreate,
    PositionPut,
    ResearchNoteCreate,
)
from app.services import access, accounts, events, snapshots

# Organizations -------------------------------------------------------------------------


def create_organization(
    session: Session, principal: Principal, organization_in: OrganizationCreate
) -> Organization:
    """A new organization; its creator becomes its admin."""
    moment = clock.now()
    organization = Organization(
        id=new_id("org"),
        **organization_in.model_dump(mode="json"),
        created_at=moment,
        updated_at=moment,
    )
    session.add(organization)
    session.flush()
    session.add(
        OrganizationUser(
            organization_id=organization.id,
            user_id=principal.user_id,
            role=OrgRole.admin,
            created_at=moment,
        )
    )
    session.flush()
    principal.roles[organization.id] = OrgRole.admin
    announce(session, principal, "organization.created", organization)
    return organization


def announce(session: Session, principal: Principal, type: str, organization: Organization) -> None:
    """Tell the organization its profile changed (it alone: `reports_to` is its own)."""
    events.emit(
        session,
        type,
        {"organization_id": organization.id, "name": organization.name,
         "version": organization.version, "object": snapshots.organization(organization)},
        visible_to={organization.id},
        actor=principal,
    )  # fmt: skip


_LISTED_COLUMNS = [Organization.__table__.c[name] for name in OrganizationRead.model_fields]  # type: ignore[attr-defined]


def list_organizations(
    session: Session,
    principal: Principal,
    *,
    mine: bool = False,
    limit: int = 50,
    cursor: str | None = None,
    q: str | None = None,
    sort: str | None = None,
) -> Page:
    """Organizations by id (oldest first), or in one of ORGANIZATION_ORDERS; `q` keeps those
    whose name holds every word of it."""
    # Plain rows of the columns a page shows: loading 50 entities into the session costs
    # more than the query itself, and nothing here changes them.
    statement = _LISTED
    if mine:
        statement = statement.where(Organization.id.in_(list(principal.roles)))  # type: ignore[attr-defined]
    found = containing([Organization.name], q)  # type: ignore[list-item]
    if found is not None:
        statement = statement.where(found)
    order = ORGANIZATION_ORDERS.get(sort or "", BY_ID)
    return paginate(session, statement, Organization.id, limit=limit, cursor=cursor, order=order)  # type: ignore[arg-type]


ORGANIZATION_ORDERS = {"name": Order(Organization.name), "newest": Order(newest=True)}  # type: ignore[arg-type]


def get_organization(session: Session, principal: Principal, organization_id: str) -> Organization:
    return access.get_organization(session, principal, organization_id)


def read_organization(session: Session, principal: Principal, organization_id: str) -> Row:
    """An organization's profile as the API shows it, as a plain row: every signed-in user
    may read it, and reading it needs no entity in the session (see list_organizations)."""
    row = session.connection().execute(_PROFILE, {"organization_id": organization_id}).first()
    if row is None:
        raise NotFound("No such organization.")
    return row


# Built once: putting a statement together costs as much as running it on a warm cache.
_LISTED = select(*_LISTED_COLUMNS).where(Organization.deleted_at.is_(None))  # type: ignore[union-attr]
_PROFILE = select(*_LISTED_COLUMNS).where(
    Organization.id == bindparam("organization_id"),  # type: ignore[arg-type]
    Organization.deleted_at.is_(None),  # type: ignore[union-attr]
)


def update_organization(
    session: Session,
    principal: Principal,
    organization_id: str,
    changes: OrganizationUpdate,
    *,
    expected_version: int | None = None,
) -> Organization:
    organization = access.get_organization(session, principal, organization_id)
    access.require_admin(principal, organization_id)
    check_version(organization.version, expected_version)
    for field, value in changes.model_dump(mode="json", exclude_unset=True).items():
        if value is None and field in {"name", "kind", "staff_count", "volunteer_count"}:
            raise Invalid.field(["body", field], "This field cannot be empty.")
        setattr(organization, field, [] if value is None and field in _LISTS else value)
    organization.version += 1
    organization.updated_at = clock.now()
    session.add(organization)
    session.flush()
    announce(session, principal, "organization.updated", organization)
    return organization


_LISTS = {"expertise", "communities"}


def delete_organization(session: Session, principal: Principal, organization_id: str) -> None:
    """Soft delete: coalitions keep their history of who took part."""
    organization = access.get_organization(session, principal, organization_id)
    access.require_admin(principal, organization_id)
    organization.deleted_at = clock.now()
    organization.updated_at = organization.deleted_at
    organization.version += 1
    session.add(organization)
    session.flush()
    announce(session, principal, "organization.deleted", organization)


# People and roles ----------------------------------------------------------------------


def _user_row(link: OrganizationUser, user: User) -> dict:
    return {
        "id": user.id,
        "user_id": user.id,
        "organization_id": link.organization_id,
        "email": user.email,
        "name": user.name,
        "role": link.role,
        # No password yet: invited, and not yet signed in.
        "status": "invited" if user.password_hash is None else "active",
        "created_at": link.created_at,
    }


def list_users(
    session: Session,
    principal: Principal,
    organization_id: str,
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    access.get_organization(session, principal, organization_id, private=True)
    statement = (
        select(OrganizationUser, User)
        .join(User, User.id == OrganizationUser.user_id)
        .where(OrganizationUser.organization_id == organization_id)
    )
    page = paginate(session, statement, OrganizationUser.user_id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    page.items = [_user_row(link, user) for link, user in page.items]
    return page


def add_user(
    session: Session, principal: Principal, organization_id: str, user_in: OrganizationUserCreate
) -> dict:
    """Give a person a role here, creating their account when the e-mail is new."""
    access.get_organization(session, principal, organization_id, private=True)
    access.require_admin(principal, organization_id)
    user = accounts.find_user(session, user_in.email)
    if user is None:
        user = accounts.create_user(
            session, email=user_in.email, password=user_in.password, name=user_in.name or ""
        )
    if session.get(OrganizationUser, (organization_id, user.id)) is not None:
        raise Conflict(
            f"{user.email} already belongs to this organization.", code="already_in_organization"
        )
    link = OrganizationUser(
        organization_id=organization_id, user_id=user.id, role=user_in.role, created_at=clock.now()
    )
    session.add(link)
    session.flush()
    return _user_row(link, user)


def _admin_count(session: Session, organization_id: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(OrganizationUser)
        .where(
            OrganizationUser.organization_id == organization_id,
            OrganizationUser.role == OrgRole.admin,
        )
    ).one()


def _link_or_404(session: Session, *, organization_id: str, user_id: str) -> OrganizationUser:
    link = session.get(OrganizationUser, (organization_id, user_id))
    if link is None:
        raise NotFound("No such user in this organization.")
    return link


def change_role(
    session: Session, principal: Principal, *, organization_id: str, user_id: str, role: OrgRole
) -> dict:
    access.get_organization(session, principal, organization_id, private=True)
    access.require_admin(principal, organization_id)
    link = _link_or_404(session, organization_id=organization_id, user_id=user_id)
    if link.role == OrgRole.admin and role != OrgRole.admin:
        _keep_one_admin(session, organization_id)
    link.role = role
    session.add(link)
    session.flush()
    user = session.get(User, user_id)
    assert user is not None
    return _user_row(link, user)


def remove_user(
    session: Session, principal: Principal, *, organization_id: str, user_id: str
) -> None:
    access.get_organization(session, principal, organization_id, private=True)
    access.require_admin(principal, organization_id)
    link = _link_or_404(session, organization_id=organization_id, user_id=user_id)
    if link.role == OrgRole.admin:
        _keep_one_admin(session, organization_id)
    session.delete(link)
    session.flush()


def _keep_one_admin(session: Session, organization_id: str) -> None:
    if _admin_count(session, organization_id) <= 1:
        raise Conflict(
            "An organization needs at least one admin; name another admin first.", code="last_admin"
        )


# Issue areas ---------------------------------------------------------------------------


def create_issue_area(
    session: Session, principal: Principal, issue_area_in: IssueAreaCreate
) -> IssueArea:
    """Issue areas are a vocabulary every organization shares; an admin of any
    organization may add to it."""
    access.require_some_admin(principal)
    clash = session.exec(
        select(IssueArea).where(func.lower(IssueArea.name) == issue_area_in.name.lower())
    ).first()
    if clash is not None:
        raise Conflict(
            f"The issue area “{clash.name}” exists already (id {clash.id}).",
            code="issue_area_exists",
        )
    issue_area = IssueArea(id=new_id("isa"), **issue_area_in.model_dump(), created_at=clock.now())
    session.add(issue_area)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"The issue area “{issue_area_in.name}” exists already.", code="issue_area_exists"
        ) from None
    return issue_area


def list_issue_areas(
    session: Session, principal: Principal, *, limit: int = 50, cursor: str | None = None
) -> Page:
    return paginate(session, select(IssueArea), IssueArea.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]


def all_issue_areas(session: Session) -> list[IssueArea]:
    return list(session.exec(_ALL_ISSUE_AREAS).all())


# Built once: a coalition's overview and its forms name the issue areas on every visit.
_ALL_ISSUE_AREAS = select(IssueArea).order_by(IssueArea.name)


def names_by_id(session: Session, model: Any, ids: set[str]) -> dict[str, str]:
    """The names of the rows of `model` (an organization, issue area, coalition, person)
    with `ids`."""
    if not ids:
        return {}
    statement = _NAMES.get(model)
    if statement is None:
        # Built once a kind of row: the pages name organizations, coalitions and people in
        # nearly every sentence, and putting the statement together cost more than running it.
        statement = _NAMES[model] = select(model.id, model.name).where(
            model.id.in_(bindparam("ids", expanding=True))
        )
    return dict(session.exec(statement, params={"ids": list(ids)}).all())


_NAMES: dict[Any, Any] = {}


def issue_area_names(session: Session, ids: set[str]) -> dict[str, str]:
    return names_by_id(session, IssueArea, ids)


# Positions -----------------------------------------------------------------------------


def put_position(
    session: Session,
    principal: Principal,
    *,
    organization_id: str,
    issue_area_id: str,
    position_in: PositionPut,
    expected_version: int | None = None,
) -> Position:
    """Record where the organization stands (create or replace)."""
    access.get_organization(session, principal, organization_id, private=True)
    access.require_admin(principal, organization_id)
    if session.get(IssueArea, issue_area_id) is None:
        raise NotFound("No such issue area.")
    position = session.exec(
        select(Position).where(
            Position.organization_id == organization_id,
            Position.issue_area_id == issue_area_id,
        )
    ).first()
    moment = clock.now()
    if position is None:
        if expected_version not in (None, 0):
            raise PreconditionFailed("This position does not exist yet.")
        position = Position(
            id=new_id("pos"),
            organization_id=organization_id,
            issue_area_id=issue_area_id,
            version=0,
            **position_in.model_dump(mode="json"),
            updated_at=moment,
        )
    else:
        check_version(position.version, expected_version)
        for field, value in position_in.model_dump(mode="json").items():
            setattr(position, field, value)
    position.version += 1
    position.updated_at = moment
    position.updated_by = principal.user_id
    session.add(position)
    session.flush()
    return position


def list_positions(
    session: Session,
    principal: Principal,
    organization_id: str,
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    access.get_organization(session, principal, organization_id, private=True)
    statement = select(Position).where(Position.organization_id == organization_id)
    return paginate(session, statement, Position.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]


def positions_by_issue_area(
    session: Session, principal: Principal, organization_id: str
) -> dict[str, Position]:
    access.get_organization(session, principal, organization_id, private=True)
    rows = session.exec(select(Position).where(Position.organization_id == organization_id))
    return {position.issue_area_id: position for position in rows}


# Partner research ----------------------------------------------------------------------


def create_research_note(
    session: Session, principal: Principal, organization_id: str, note_in: ResearchNoteCreate
) -> ResearchNote:
    access.get_organization(session, principal, organization_id, private=True)
    access.require_admin(principal, organization_id)
    if note_in.subject_organization_id == organization_id:
        raise Invalid.field(
            ["body", "subject_organization_id"], "Research notes are about other organizations."
        )
    try:
        access.get_organization(session, principal, note_in.subject_organization_id)
    except NotFound:
        raise Invalid.field(["body", "subject_organization_id"], "No such organization.") from None
    moment = clock.now()
    note = ResearchNote(
        id=new_id("rsn"),
        author_organization_id=organization_id,
        **note_in.model_dump(mode="json"),
        created_by=principal.user_id,
        created_at=moment,
        updated_at=moment,
    )
    session.add(note)
    session.flush()
    return note


def list_research_notes(
    session: Session,
    principal: Principal,
    organization_id: str,
    *,
    subject_organization_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    access.get_organization(session, principal, organization_id, private=True)
    statement = select(ResearchNote).where(ResearchNote.author_organization_id == organization_id)
    if subject_organization_id:
        statement = statement.where(ResearchNote.subject_organization_id == subject_organization_id)
    return paginate(session, statement, ResearchNote.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]


def organization_names(session: Session, ids: set[str]) -> dict[str, str]:
    return names_by_id(session, Organization, ids)
