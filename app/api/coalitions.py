"""Coalitions, their members, the alignment check and goals."""

from typing import Annotated, Literal

from fastapi import Query, Response, status

from app.api.deps import (
    CurrentPrincipal,
    Cursor,
    IfMatch,
    Limit,
    Search,
    created_at,
    expansions,
    set_etag,
)
from app.api.openapi import problems
from app.api.routing import api_router, version_only
from app.deps import RouteSessionDep as SessionDep
from app.deps import SettingsDep
from app.pagination import whole
from app.schemas.base import PageOut
from app.schemas.coalitions import (
    AlignmentRead,
    CoalitionCreate,
    CoalitionDetail,
    CoalitionListed,
    CoalitionUpdate,
    GoalCreate,
    GoalRead,
    MembershipChangeRead,
    MembershipCreate,
    MembershipRead,
    MembershipUpdate,
)
from app.services import account_links, goals
from app.services import coalitions as service

router = api_router("coalitions")

Scope = Annotated[
    str,
    Query(
        pattern="^(visible|mine|invited|directory)$",
        description="visible (default), mine, invited (waiting on you) or directory (listed)",
    ),
]


@router.post(
    "/coalitions",
    status_code=status.HTTP_201_CREATED,
    response_model=CoalitionDetail,
    responses=problems(404, 409),
)
def create_coalition(
    body: CoalitionCreate, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    coalition = service.create_coalition(session, principal, body)
    response.headers["Location"] = f"/api/v1/coalitions/{coalition.id}"
    set_etag(response, coalition.version)
    return service.coalition_detail(session, principal, coalition.id)


Members = Annotated[frozenset[str], expansions("members")]


@router.get("/coalitions", response_model=PageOut[CoalitionListed])
def list_coalitions(
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    scope: Scope = "visible",
    q: Search = None,
    sort: Annotated[
        Literal["name", "newest"] | None,
        Query(description="By name, or newest first; by default oldest first."),
    ] = None,
    expand: Members = frozenset(),
) -> object:
    page = service.list_coalitions(
        session, principal, scope=scope, limit=limit, cursor=cursor, q=q, sort=sort
    )
    if "members" in expand:
        members = service.members_of(session, principal, [c.id for c in page.items])
        page.items = [{**c.model_dump(), "members": members[c.id]} for c in page.items]
    return page


@router.get("/coalitions/{coalition_id}", response_model=CoalitionDetail, responses=problems(404))
def get_coalition(
    coalition_id: str,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    expand: Members = frozenset(),
) -> dict:
    detail = service.coalition_detail(session, principal, coalition_id)
    if "members" in expand:
        detail["members"] = service.members_of(session, principal, [coalition_id])[coalition_id]
    set_etag(response, detail["version"])
    version_only(response)  # its derived parts change without its version
    return detail


@router.patch(
    "/coalitions/{coalition_id}",
    response_model=CoalitionDetail,
    responses=problems(403, 404, 409, 412),
)
def update_coalition(
    coalition_id: str,
    body: CoalitionUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
) -> dict:
    coalition = service.update_coalition(
        session, principal, coalition_id, body, expected_version=if_match
    )
    set_etag(response, coalition.version)
    return service.coalition_detail(session, principal, coalition_id)


@router.get(
    "/coalitions/{coalition_id}/members",
    response_model=PageOut[MembershipRead],
    responses=problems(404),
)
def list_members(
    coalition_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[
        Literal["invited", "requested", "joining", "joined", "declined", "left"] | None,
        Query(description="Only these."),
    ] = None,
) -> object:
    return service.list_members(
        session, principal, coalition_id, status=status, limit=limit, cursor=cursor
    )


@router.post(
    "/coalitions/{coalition_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=MembershipRead,
    responses=problems(403, 404, 409),
)
def invite_member(
    response: Response,
    coalition_id: str,
    body: MembershipCreate,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> dict:
    """A lead invites an organization; on a listed coalition, an organization's admin may
    ask to join (status `requested`, accepted or refused by a lead). An organization not
    yet on Coalesce is invited by `invite_email` and `organization_name`: it is created with
    that person as its first admin, who is mailed a link to choose a password and answer."""
    member = account_links.invite_to_coalition(session, principal, settings, coalition_id, body)
    created_at(response, f"/coalitions/{coalition_id}/members/{member['organization_id']}")
    return member


@router.get(
    "/coalitions/{coalition_id}/members/{org_id}",
    response_model=MembershipRead,
    responses=problems(404),
)
def get_member(
    coalition_id: str,
    org_id: str,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> dict:
    member = service.get_member(
        session, principal, coalition_id=coalition_id, organization_id=org_id
    )
    set_etag(response, member["version"])
    return member


@router.patch(
    "/coalitions/{coalition_id}/members/{org_id}",
    response_model=MembershipRead,
    responses=problems(403, 404, 409, 412),
)
def update_member(
    coalition_id: str,
    org_id: str,
    body: MembershipUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
) -> dict:
    """The invited organization's admin joins or declines; members change their own
    commitment and game plan; leads change engagement and roles, and accept requests."""
    member = service.update_member(
        session,
        principal,
        coalition_id=coalition_id,
        organization_id=org_id,
        changes=body,
        expected_version=if_match,
    )
    set_etag(response, member["version"])
    return member


@router.delete(
    "/coalitions/{coalition_id}/members/{org_id}",
    response_model=MembershipRead,
    responses=problems(403, 404, 409),
)
def leave_coalition(
    coalition_id: str, org_id: str, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    """The organization leaves (or a lead removes it): its status becomes `left`."""
    return service.leave(session, principal, coalition_id=coalition_id, organization_id=org_id)


@router.get(
    "/coalitions/{coalition_id}/members/{org_id}/history",
    response_model=PageOut[MembershipChangeRead],
    responses=problems(404),
)
def get_membership_history(
    coalition_id: str, org_id: str, session: SessionDep, principal: CurrentPrincipal
) -> object:
    return whole(
        service.membership_history(
            session, principal, coalition_id=coalition_id, organization_id=org_id
        )
    )


@router.get(
    "/coalitions/{coalition_id}/alignment", response_model=AlignmentRead, responses=problems(404)
)
def check_coalition_alignment(
    coalition_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    organization_id: str | None = Query(default=None, max_length=40),
) -> dict:
    return service.alignment_for(
        session, principal, coalition_id=coalition_id, organization_id=organization_id
    )


@router.post(
    "/coalitions/{coalition_id}/goals",
    status_code=status.HTTP_201_CREATED,
    response_model=GoalRead,
    responses=problems(403, 404, 409),
)
def create_goal(
    response: Response,
    coalition_id: str,
    body: GoalCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> dict:
    goal = goals.create_goal(session, principal, coalition_id, body)
    created_at(response, f"/goals/{goal['id']}")
    return goal


@router.get(
    "/coalitions/{coalition_id}/goals", response_model=PageOut[GoalRead], responses=problems(404)
)
def list_goals(
    coalition_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    return goals.list_goals(session, principal, coalition_id, limit=limit, cursor=cursor)
