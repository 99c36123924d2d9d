"""Activities and their sign-on decisions."""

from typing import Annotated, Literal

from fastapi import Query, Response, status

from app.api.deps import (
    CurrentPrincipal,
    Cursor,
    IfMatch,
    Limit,
    Search,
    expansions,
    set_etag,
)
from app.api.openapi import problems
from app.api.routing import api_router, version_only
from app.deps import RouteSessionDep as SessionDep
from app.pagination import whole
from app.schemas.activities import (
    ActivityCreate,
    ActivityDetail,
    ActivityListed,
    ActivityUpdate,
    DecisionChangeRead,
    DecisionPut,
    DecisionRead,
)
from app.schemas.base import PageOut
from app.schemas.coalitions import AlignmentRead
from app.services import activities as service

router = api_router("activities")


@router.post(
    "/coalitions/{coalition_id}/activities",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivityDetail,
    responses=problems(403, 404, 409),
)
def create_activity(
    coalition_id: str,
    body: ActivityCreate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> dict:
    activity = service.create_activity(session, principal, coalition_id, body)
    response.headers["Location"] = f"/api/v1/activities/{activity.id}"
    set_etag(response, activity.version)
    return service.activity_read(session, principal, activity.id)


Expand = Annotated[frozenset[str], expansions("decisions", "tally")]
ActivityStatus = Annotated[
    Literal["draft", "proposed", "open", "closed"] | None, Query(description="Only these.")
]


@router.get("/activities", response_model=PageOut[ActivityListed], responses=problems(404))
def list_all_activities(
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: ActivityStatus = None,
    organization_id: Annotated[
        str | None,
        Query(max_length=40, description="One of the caller's organizations (default: all)."),
    ] = None,
    expand: Expand = frozenset(),
) -> object:
    """The activities of every coalition the caller's organizations (or the one named) have
    joined: e.g. `status=open` is everything they are asked to decide on now."""
    page = service.list_across_coalitions(
        session, principal, organization_id=organization_id, status=status, limit=limit,
        cursor=cursor,
    )  # fmt: skip
    page.items = service.expanded(session, principal, list(page.items), set(expand))
    return page


@router.get(
    "/coalitions/{coalition_id}/activities",
    response_model=PageOut[ActivityListed],
    responses=problems(404),
)
def list_activities(
    coalition_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: ActivityStatus = None,
    q: Search = None,
    sort: Annotated[
        Literal["name", "newest", "deadline"] | None,
        Query(
            description="By title, newest first, or soonest sign-on deadline first (none "
            "last); by default oldest first."
        ),
    ] = None,
    expand: Expand = frozenset(),
) -> object:
    page = service.list_activities(
        session, principal, coalition_id, status=status, limit=limit, cursor=cursor, q=q,
        sort=sort,
    )  # fmt: skip
    page.items = service.expanded(session, principal, list(page.items), set(expand))
    return page


@router.get("/activities/{activity_id}", response_model=ActivityDetail, responses=problems(404))
def get_activity(
    activity_id: str, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    detail = service.activity_read(session, principal, activity_id)
    set_etag(response, detail["version"])
    version_only(response)  # its derived parts change without its version
    return detail


@router.patch(
    "/activities/{activity_id}",
    response_model=ActivityDetail,
    responses=problems(403, 404, 409, 412),
)
def update_activity(
    activity_id: str,
    body: ActivityUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
) -> dict:
    """A draft's text, target, dates, issue areas and stances. Once open, only the sign-on
    deadline moves (409 for the rest, saying why), and the members still deciding are told."""
    activity = service.update_activity(
        session, principal, activity_id, body, expected_version=if_match
    )
    set_etag(response, activity.version)
    return service.activity_read(session, principal, activity_id)


@router.post(
    "/activities/{activity_id}/open",
    response_model=ActivityDetail,
    responses=problems(403, 404, 409),
)
def open_activity(activity_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict:
    """Ask every joined member for a decision (for kinds that collect signatures)."""
    service.open_activity(session, principal, activity_id)
    return service.activity_read(session, principal, activity_id)


@router.post(
    "/activities/{activity_id}/close",
    response_model=ActivityDetail,
    responses=problems(403, 404, 409),
)
def close_activity(activity_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict:
    service.close_activity(session, principal, activity_id)
    return service.activity_read(session, principal, activity_id)


@router.get(
    "/activities/{activity_id}/decisions",
    response_model=PageOut[DecisionRead],
    responses=problems(404),
)
def list_decisions(activity_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    """One decision per member asked (a coalition's members fit in one page)."""
    return whole(service.list_decisions(session, principal, activity_id))


@router.put(
    "/activities/{activity_id}/decisions/{org_id}",
    response_model=DecisionRead,
    responses=problems(403, 404, 409, 412),
)
def put_decision(
    activity_id: str,
    org_id: str,
    body: DecisionPut,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
) -> dict:
    decision = service.put_decision(
        session,
        principal,
        activity_id=activity_id,
        organization_id=org_id,
        decision_in=body,
        expected_version=if_match,
    )
    set_etag(response, decision["version"])
    return decision


@router.get(
    "/activities/{activity_id}/decisions/{org_id}/history",
    response_model=PageOut[DecisionChangeRead],
    responses=problems(404),
)
def get_decision_history(
    activity_id: str, org_id: str, session: SessionDep, principal: CurrentPrincipal
) -> object:
    return whole(
        service.decision_history(
            session, principal, activity_id=activity_id, organization_id=org_id
        )
    )


@router.get(
    "/activities/{activity_id}/alignment", response_model=AlignmentRead, responses=problems(404)
)
def check_activity_alignment(
    activity_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    organization_id: str | None = Query(default=None, max_length=40),
) -> dict:
    """How this ask fits one of the caller's organizations: its stances and kind against
    the organization's positions and limitations."""
    return service.alignment_for(
        session, principal, activity_id=activity_id, organization_id=organization_id
    )
