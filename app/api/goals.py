"""Goals and objectives by id."""

from fastapi import Response, status

from app.api.deps import CurrentPrincipal, IfMatch, created_at, set_etag
from app.api.openapi import problems
from app.api.routing import api_router, version_only
from app.deps import RouteSessionDep as SessionDep
from app.schemas.coalitions import (
    GoalRead,
    GoalUpdate,
    ObjectiveCreate,
    ObjectiveRead,
    ObjectiveUpdate,
)
from app.services import goals as service

router = api_router("goals")


@router.get("/goals/{goal_id}", response_model=GoalRead, responses=problems(404))
def get_goal(
    goal_id: str, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    goal = service.get_goal(session, principal, goal_id)
    set_etag(response, goal["version"])
    version_only(response)  # its derived parts change without its version
    return goal


@router.patch("/goals/{goal_id}", response_model=GoalRead, responses=problems(403, 404, 412))
def update_goal(
    goal_id: str,
    body: GoalUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
) -> dict:
    goal = service.update_goal(session, principal, goal_id, body, expected_version=if_match)
    set_etag(response, goal["version"])
    return goal


@router.delete(
    "/goals/{goal_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(403, 404)
)
def delete_goal(goal_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    service.delete_goal(session, principal, goal_id)


@router.post(
    "/goals/{goal_id}/objectives",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectiveRead,
    responses=problems(403, 404, 409),
)
def add_objective(
    response: Response,
    goal_id: str,
    body: ObjectiveCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> dict:
    objective = service.add_objective(session, principal, goal_id, body)
    created_at(response, f"/objectives/{objective['id']}")
    return objective


@router.patch(
    "/objectives/{objective_id}", response_model=ObjectiveRead, responses=problems(403, 404, 412)
)
def update_objective(
    objective_id: str,
    body: ObjectiveUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
) -> dict:
    objective = service.update_objective(
        session, principal, objective_id, body, expected_version=if_match
    )
    set_etag(response, objective["version"])
    return objective


@router.delete(
    "/objectives/{objective_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(403, 404),
)
def delete_objective(objective_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    service.delete_objective(session, principal, objective_id)
