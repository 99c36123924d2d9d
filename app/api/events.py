"""The event log as the caller may see it."""

from typing import Annotated

from fastapi import Query

from app.api.deps import CurrentPrincipal, Cursor, Limit
from app.api.openapi import problems
from app.api.routing import api_router
from app.deps import RouteSessionDep as SessionDep
from app.schemas.base import PageOut
from app.schemas.coalitions import EventRead
from app.services import events as service

router = api_router("events")


@router.get("/events", response_model=PageOut[EventRead])
def list_events(
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    after: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
    ] = None,
    cursor: Cursor = None,
    type: Annotated[
        str | None, Query(max_length=500, description="One type, or several comma separated.")
    ] = None,
) -> object:
    types = [t.strip() for t in type.split(",") if t.strip()] if type else None
    return service.list_events(session, principal, types=types, limit=limit, cursor=after or cursor)


@router.get("/events/{event_id}", response_model=EventRead, responses=problems(404))
def get_event(event_id: str, session: SessionDep, principal: CurrentPrincipal) -> object:
    """One event as `GET /events` lists it (404 when the caller may not see it)."""
    return service.get_event(session, principal, event_id)
