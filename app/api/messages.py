"""The coalition's list: threads and replies."""

from fastapi import Response, status

from app.api.deps import CurrentPrincipal, Cursor, Limit, created_at
from app.api.openapi import problems
from app.api.routing import api_router
from app.deps import RouteSessionDep as SessionDep
from app.schemas.base import PageOut
from app.schemas.messages import MessageCreate, MessageRead
from app.services import messages as service

router = api_router("messages")


@router.post(
    "/coalitions/{coalition_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=MessageRead,
    responses=problems(403, 404),
)
def send_message(
    response: Response,
    coalition_id: str,
    body: MessageCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> dict:
    """Start a thread (who may follows the guidelines' `who_may_post`) or reply to one
    (`reply_to`); every member's people hear of it in the bell and by e-mail."""
    message = service.post_message(session, principal, coalition_id, body)
    created_at(response, f"/coalitions/{coalition_id}/messages/{message['id']}")
    return message


@router.get(
    "/coalitions/{coalition_id}/messages",
    response_model=PageOut[MessageRead],
    responses=problems(404),
)
def list_messages(
    coalition_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    reply_to: str | None = None,
) -> object:
    """Threads and replies, oldest first; `reply_to` keeps one thread's replies."""
    return service.list_messages(
        session, principal, coalition_id, reply_to=reply_to, limit=limit, cursor=cursor
    )
