"""Proposals and votes."""

from fastapi import Query, Response, status

from app.api.deps import CurrentPrincipal, Cursor, Limit, created_at, set_etag
from app.api.openapi import problems
from app.api.routing import api_router, version_only
from app.deps import RouteSessionDep as SessionDep
from app.schemas.base import PageOut
from app.schemas.proposals import (
    CommentCreate,
    CommentRead,
    ProposalCreate,
    ProposalRead,
    Reminded,
    VoteCast,
)
from app.services import proposals as service

router = api_router("proposals")


@router.post(
    "/coalitions/{coalition_id}/proposals",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalRead,
    responses=problems(403, 404, 409),
)
def create_proposal(
    coalition_id: str,
    body: ProposalCreate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> dict:
    proposal = service.create_proposal(session, principal, coalition_id, body)
    response.headers["Location"] = f"/api/v1/proposals/{proposal.id}"
    return service.proposal_view(session, proposal)


@router.get(
    "/coalitions/{coalition_id}/proposals",
    response_model=PageOut[ProposalRead],
    responses=problems(404),
)
def list_proposals(
    coalition_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: str | None = Query(default=None, pattern="^(open|closed)$"),
) -> object:
    return service.list_proposals(
        session, principal, coalition_id, status=status, limit=limit, cursor=cursor
    )


@router.get("/proposals/{proposal_id}", response_model=ProposalRead, responses=problems(404))
def get_proposal(
    proposal_id: str, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    proposal = service.get_proposal(session, principal, proposal_id)
    set_etag(response, proposal["version"])
    version_only(response)  # its derived parts change without its version
    return proposal


@router.post(
    "/proposals/{proposal_id}/votes", response_model=ProposalRead, responses=problems(403, 404, 409)
)
def cast_vote(
    proposal_id: str, body: VoteCast, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    """One live vote per member organization; voting again changes it (history is kept)."""
    return service.cast_vote(session, principal, proposal_id, body)


@router.post(
    "/proposals/{proposal_id}/close", response_model=ProposalRead, responses=problems(403, 404, 409)
)
def close_proposal(proposal_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict:
    return service.close_proposal(session, principal, proposal_id)


@router.post(
    "/proposals/{proposal_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentRead,
    responses=problems(403, 404, 409),
)
def add_comment(
    response: Response,
    proposal_id: str,
    body: CommentCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> dict:
    """A word in the proposal's discussion, visible to the coalition's members."""
    comment = service.add_comment(session, principal, proposal_id, body)
    created_at(response, f"/proposals/{proposal_id}/comments/{comment['id']}")
    return comment


@router.get(
    "/proposals/{proposal_id}/comments",
    response_model=PageOut[CommentRead],
    responses=problems(404),
)
def list_comments(
    proposal_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """The discussion, oldest first."""
    return service.list_comments(session, principal, proposal_id, limit=limit, cursor=cursor)


@router.post(
    "/proposals/{proposal_id}/reminders",
    response_model=Reminded,
    responses=problems(403, 404, 409),
)
def send_reminders(proposal_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict:
    """A lead reminds the members that have not voted yet (their admins, in the bell)."""
    return {"reminded_organization_ids": service.remind(session, principal, proposal_id)}
