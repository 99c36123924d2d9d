"""Organizations, their users, positions and partner research; issue areas."""

from typing import Annotated, Literal

from fastapi import Query, Response, status

from app.api.deps import (
    CurrentPrincipal,
    Cursor,
    IfMatch,
    Limit,
    Search,
    created_at,
    set_etag,
)
from app.api.openapi import problems
from app.api.routing import api_router
from app.deps import RouteSessionDep as SessionDep
from app.deps import SettingsDep
from app.models.organizations import Organization
from app.schemas.base import PageOut
from app.schemas.organizations import (
    IssueAreaCreate,
    IssueAreaRead,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
    OrganizationUserCreate,
    OrganizationUserRead,
    OrganizationUserUpdate,
    PositionPut,
    PositionRead,
    ResearchNoteCreate,
    ResearchNoteRead,
)
from app.services import account_links
from app.services import organizations as service

router = api_router("organizations")


def _with_etag(response: Response, organization: Organization) -> Organization:
    set_etag(response, organization.version)
    return organization


@router.post(
    "/organizations",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationRead,
    responses=problems(409),
)
def create_organization(
    body: OrganizationCreate, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> Organization:
    organization = service.create_organization(session, principal, body)
    response.headers["Location"] = f"/api/v1/organizations/{organization.id}"
    return _with_etag(response, organization)


@router.get("/organizations", response_model=PageOut[OrganizationRead])
def list_organizations(
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    mine: bool = False,
    q: Search = None,
    sort: Annotated[
        Literal["name", "newest"] | None,
        Query(description="By name, or newest first; by default oldest first."),
    ] = None,
) -> object:
    return service.list_organizations(
        session, principal, mine=mine, limit=limit, cursor=cursor, q=q, sort=sort
    )


@router.get("/organizations/{org_id}", response_model=OrganizationRead, responses=problems(404))
def get_organization(
    org_id: str, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> object:
    organization = service.read_organization(session, principal, org_id)
    set_etag(response, organization.version)
    return organization


@router.patch(
    "/organizations/{org_id}", response_model=OrganizationRead, responses=problems(403, 404, 412)
)
def update_organization(
    org_id: str,
    body: OrganizationUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
) -> Organization:
    organization = service.update_organization(
        session, principal, org_id, body, expected_version=if_match
    )
    return _with_etag(response, organization)


@router.delete(
    "/organizations/{org_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(403, 404)
)
def delete_organization(org_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    service.delete_organization(session, principal, org_id)


@router.get(
    "/organizations/{org_id}/users",
    response_model=PageOut[OrganizationUserRead],
    responses=problems(404),
)
def list_organization_users(
    org_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    return service.list_users(session, principal, org_id, limit=limit, cursor=cursor)


@router.post(
    "/organizations/{org_id}/users",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationUserRead,
    responses=problems(403, 404, 409),
)
def add_organization_user(
    org_id: str,
    body: OrganizationUserCreate,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    response: Response,
) -> dict:
    """Without a password, the person is mailed an invitation (a link valid 7 days)."""
    person = account_links.add_person(session, principal, settings, org_id, body)
    created_at(response, f"/organizations/{org_id}/users/{person['user_id']}")
    return person


@router.post(
    "/organizations/{org_id}/users/{user_id}/invitation",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(403, 404, 409),
)
def send_invitation_again(
    org_id: str,
    user_id: str,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
) -> None:
    """Mails a fresh invitation to someone who has not chosen a password yet (409 once
    they have); the earlier link stops working."""
    account_links.send_invitation_again(
        session, principal, settings, organization_id=org_id, user_id=user_id
    )


@router.patch(
    "/organizations/{org_id}/users/{user_id}",
    response_model=OrganizationUserRead,
    responses=problems(403, 404, 409),
)
def update_organization_user(
    org_id: str,
    user_id: str,
    body: OrganizationUserUpdate,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> dict:
    return service.change_role(
        session, principal, organization_id=org_id, user_id=user_id, role=body.role
    )


@router.delete(
    "/organizations/{org_id}/users/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404, 409),
)
def remove_organization_user(
    org_id: str, user_id: str, session: SessionDep, principal: CurrentPrincipal
) -> None:
    service.remove_user(session, principal, organization_id=org_id, user_id=user_id)


@router.get(
    "/organizations/{org_id}/positions",
    response_model=PageOut[PositionRead],
    responses=problems(404),
)
def list_positions(
    org_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    return service.list_positions(session, principal, org_id, limit=limit, cursor=cursor)


@router.put(
    "/organizations/{org_id}/positions/{issue_area_id}",
    response_model=PositionRead,
    responses=problems(403, 404, 412),
)
def put_position(
    org_id: str,
    issue_area_id: str,
    body: PositionPut,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
) -> object:
    position = service.put_position(
        session,
        principal,
        organization_id=org_id,
        issue_area_id=issue_area_id,
        position_in=body,
        expected_version=if_match,
    )
    set_etag(response, position.version)
    return position


@router.post(
    "/organizations/{org_id}/research",
    status_code=status.HTTP_201_CREATED,
    response_model=ResearchNoteRead,
    responses=problems(403, 404, 409),
)
def create_research_note(
    response: Response,
    org_id: str,
    body: ResearchNoteCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> object:
    note = service.create_research_note(session, principal, org_id, body)
    created_at(response, f"/organizations/{org_id}/research/{note.id}")
    return note


@router.get(
    "/organizations/{org_id}/research",
    response_model=PageOut[ResearchNoteRead],
    responses=problems(404),
)
def list_research_notes(
    org_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    subject_organization_id: str | None = None,
) -> object:
    return service.list_research_notes(
        session,
        principal,
        org_id,
        subject_organization_id=subject_organization_id,
        limit=limit,
        cursor=cursor,
    )


@router.post(
    "/issue-areas",
    status_code=status.HTTP_201_CREATED,
    response_model=IssueAreaRead,
    responses=problems(403, 409),
)
def create_issue_area(
    response: Response, body: IssueAreaCreate, session: SessionDep, principal: CurrentPrincipal
) -> object:
    area = service.create_issue_area(session, principal, body)
    created_at(response, f"/issue-areas/{area.id}")
    return area


@router.get("/issue-areas", response_model=PageOut[IssueAreaRead])
def list_issue_areas(
    session: SessionDep, principal: CurrentPrincipal, limit: Limit = 50, cursor: Cursor = None
) -> object:
    return service.list_issue_areas(session, principal, limit=limit, cursor=cursor)
