"""Approval processes (an organization's steps) and approval requests (the inbox, deciding)."""

from typing import Annotated

from fastapi import Query, Response

from app.api.deps import CurrentPrincipal, Cursor, IfMatch, Limit, set_etag
from app.api.openapi import problems
from app.api.routing import api_router
from app.deps import RouteSessionDep as SessionDep
from app.models.activities import ProcessKind
from app.pagination import whole
from app.schemas.activities import (
    ApprovalDecision,
    ApprovalProcessPut,
    ApprovalProcessRead,
    ApprovalRead,
)
from app.schemas.base import PageOut
from app.services import approvals

router = api_router("approvals")

KindQuery = Annotated[
    ProcessKind | None,
    Query(
        description="The process for one activity kind, or `join_coalition` for the steps "
        "before joining a coalition; without it, the default process."
    ),
]


@router.get(
    "/organizations/{org_id}/approval-process",
    response_model=ApprovalProcessRead,
    responses=problems(404),
)
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


@router.put(
    "/organizations/{org_id}/approval-process",
    response_model=ApprovalProcessRead,
    responses=problems(403, 404, 412),
)
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


@router.get(
    "/organizations/{org_id}/approvals",
    response_model=PageOut[ApprovalRead],
    responses=problems(404),
)
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
def list_my_approvals(session: SessionDep, principal: CurrentPrincipal) -> object:
    """Approval steps waiting on the caller (as an admin or approver), soonest due first."""
    return whole(approvals.inbox(session, principal))


@router.get("/approvals/{approval_id}", response_model=ApprovalRead, responses=problems(404))
def get_approval(approval_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict:
    return approvals.get_approval(session, principal, approval_id)


@router.post(
    "/approvals/{approval_id}/decision",
    response_model=ApprovalRead,
    responses=problems(403, 404, 409),
)
def decide_approval(
    approval_id: str, body: ApprovalDecision, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    """Approve or reject the active step. Two approvers at once: one wins, the other 409."""
    return approvals.decide(
        session, principal, approval_id, body.action, body.comment, step=body.step,
        signer_title=body.signer_title,
    )  # fmt: skip
