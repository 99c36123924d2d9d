"""Activities, sign-on decisions, approval processes and approval requests."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.api.deps import CurrentPrincipal, Cursor, IfMatch, Limit, SessionDep, set_etag
from app.models.coalitions import ActivityKind
from app.pagination import whole
from app.schemas.activities import (
    ActivityCreate,
    ActivityDetail,
    ActivityRead,
    ActivityUpdate,
    ApprovalDecision,
    ApprovalProcessPut,
    ApprovalProcessRead,
    ApprovalRead,
    DecisionChangeRead,
    DecisionPut,
    DecisionRead,
)
from app.schemas.base import PageOut
from app.services import activities as service
from app.services import approvals

router = APIRouter(tags=["activities and approvals"])

KindQuery = Annotated[
    ActivityKind | None,
    Query(description="The process for one activity kind; without it, the default process."),
]


@router.post(
    "/coalitions/{coalition_id}/activities",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivityDetail,
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
    return service.activity_detail(session, principal, activity.id)


@router.get("/coalitions/{coalition_id}/activities", response_model=PageOut[ActivityRead])
def list_activities(
    coalition_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: str | None = Query(default=None, pattern="^(draft|open|closed)$"),
) -> object:
    return service.list_activities(
        session, principal, coalition_id, status=status, limit=limit, cursor=cursor
    )


@router.get("/activities/{activity_id}", response_model=ActivityDetail)
def get_activity(
    activity_id: str, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    detail = service.activity_detail(session, principal, activity_id)
    set_etag(response, detail["version"])
    return detail


@router.patch("/activities/{activity_id}", response_model=ActivityDetail)
def update_activity(
    activity_id: str,
    body: ActivityUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
) -> dict:
    activity = service.update_activity(
        session, principal, activity_id, body, expected_version=if_match
    )
    set_etag(response, activity.version)
    return service.activity_detail(session, principal, activity_id)


@router.post("/activities/{activity_id}/open", response_model=ActivityDetail)
def open_activity(activity_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict:
    """Ask every joined member for a decision (for kinds that collect signatures)."""
    service.open_activity(session, principal, activity_id)
    return service.activity_detail(session, principal, activity_id)


@router.post("/activities/{activity_id}/close", response_model=ActivityDetail)
def close_activity(activity_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict:
    service.close_activity(session, principal, activity_id)
    return service.activity_detail(session, principal, activity_id)


@router.get("/activities/{activity_id}/decisions", response_model=PageOut[DecisionRead])
def list_decisions(activity_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    """One decision per member asked (a coalition's members fit in one page)."""
    return whole(service.list_decisions(session, principal, activity_id))


@router.put("/activities/{activity_id}/decisions/{org_id}", response_model=DecisionRead)
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
        session, principal, activity_id, org_id, body, expected_version=if_match
    )
    set_etag(response, decision["version"])
    return decision


@router.get(
    "/activities/{activity_id}/decisions/{org_id}/history",
    response_model=PageOut[DecisionChangeRead],
)
def decision_history(
    activity_id: str, org_id: str, session: SessionDep, principal: CurrentPrincipal
) -> object:
    return whole(service.decision_history(session, principal, activity_id, org_id))


@router.get("/organizations/{org_id}/approval-process", response_model=ApprovalProcessRead)
def get_approval_process(
    org_id: str,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    activity_kind: KindQuery = None,
) -> dict:
    process = approvals.get_process(session, principal, org_id, activity_kind)
    set_etag(response, process["version"])
    return process


@router.put("/organizations/{org_id}/approval-process", response_model=ApprovalProcessRead)
def put_approval_process(
    org_id: str,
    body: ApprovalProcessPut,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
    activity_kind: KindQuery = None,
) -> dict:
    process = approvals.put_process(
        session, principal, org_id, activity_kind, body, expected_version=if_match
    )
    set_etag(response, process["version"])
    return process


@router.get("/organizations/{org_id}/approvals", response_model=PageOut[ApprovalRead])
def list_approvals(
    org_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: str | None = Query(default=None, pattern="^(in_progress|approved|rejected|withdrawn)$"),
) -> object:
    return approvals.list_for_organization(
        session, principal, org_id, status=status, limit=limit, cursor=cursor
    )


@router.get("/approvals", response_model=PageOut[ApprovalRead])
def my_inbox(session: SessionDep, principal: CurrentPrincipal) -> object:
    """Approval steps waiting on the caller (as an admin or approver), soonest due first."""
    return whole(approvals.inbox(session, principal))


@router.get("/approvals/{approval_id}", response_model=ApprovalRead)
def get_approval(approval_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict:
    return approvals.get_approval(session, principal, approval_id)


@router.post("/approvals/{approval_id}/decision", response_model=ApprovalRead)
def decide(
    approval_id: str, body: ApprovalDecision, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    """Approve or reject the active step. Two approvers at once: one wins, the other 409."""
    return approvals.decide(
        session, principal, approval_id, body.action, body.comment, step=body.step
    )
