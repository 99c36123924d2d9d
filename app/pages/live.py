"""Live updates: server-sent events read from the event log, so any web process can serve
any listener (nothing is broadcast in memory). Pages refresh their parts on these events."""

import asyncio
import json
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, Request
from sse_starlette.event import ServerSentEvent
from sse_starlette.sse import EventSourceResponse

from app.db import Database
from app.deps import get_database
from app.pages.deps import PagePrincipal
from app.pages.routing import PageRoute
from app.principal import Principal
from app.services import events

router = APIRouter(route_class=PageRoute)
POLL_SECONDS = 0.5
PING_SECONDS = 15


def _newest(database: Database) -> str | None:
    with database.session(read_only=True) as session:
        return events.latest_cursor(session)


def _poll(
    database: Database, principal: Principal, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    with database.session(read_only=True) as session:
        page = events.list_events(session, principal, limit=100, cursor=cursor)
    return page.items, page.next_cursor


@router.get("/events/stream")
async def stream(request: Request, principal: PagePrincipal) -> EventSourceResponse:
    """The events the signed-in user may see, from now on, as they happen."""
    database = get_database(request)
    start = await to_thread.run_sync(_newest, database)

    async def happenings() -> Any:
        cursor = start
        while not await request.is_disconnected():
            items, cursor = await to_thread.run_sync(_poll, database, principal, cursor)
            for item in items:
                data = {k: item[k] for k in ("id", "type", "coalition_id", "data")}
                yield ServerSentEvent(event=item["type"], data=json.dumps(data, default=str))
            await asyncio.sleep(POLL_SECONDS)

    return EventSourceResponse(happenings(), ping=PING_SECONDS)
