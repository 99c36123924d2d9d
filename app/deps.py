"""Typed dependencies every route needs from a request, API or page: the database session,
the settings, the caller's address, and the check that its parameters can be stored."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.db import Database
from app.errors import Invalid
from app.schemas.base import UNSTORABLE, UNSTORABLE_MESSAGE
from app.settings import Settings


def get_database(request: Request) -> Database:
    return request.app.state.database


async def get_settings_of(request: Request) -> Settings:
    """The settings `create_app` was given, which tests choose, not the cached global ones."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_of)]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# The methods of a route that only reads: answered as a read (`run_read`), and needing no
# more than the read scope.
READ_METHODS = frozenset({"GET", "HEAD"})

_Answer = TypeVar("_Answer")


async def run_read(request: Request, call: Callable[..., _Answer], /, **values: Any) -> _Answer:
    """`call` for a request that only reads: on the event loop where the database answers a
    read sooner than a thread hand-off would (`Database.reads_on_the_loop`: SQLite in a
    file), else in a thread. Writes always go to a thread: a writer may wait for the lock."""
    database = getattr(request.app.state, "database", None)
    if request.method in SAFE_METHODS and database is not None and database.reads_on_the_loop:
        # One turn of the loop first, for the requests that came in meanwhile: at 32
        # connections the by-id read's p99 went from ~210 to ~170 ms (throughput the same).
        await asyncio.sleep(0)
        answer = call(**values)
        # The read is over: its connection goes back to the pool before this request
        # waits again. A request holding one while others ran on the loop could leave a
        # later one waiting on the loop for a connection only a waiting request could free.
        # (An API read's own wrapper has ended it already: nothing is left to commit.)
        for value in values.values():
            if (
                isinstance(value, Session)
                and value.in_transaction()
                and not (value.new or value.dirty or value.deleted)
            ):
                value.commit()
        return answer
    return await run_in_threadpool(call, **values)


async def _session(request: Request) -> AsyncIterator[Session]:
    # scope="function": the transaction commits before the response leaves.
    # Dependencies written `async def` run on the event loop, and a `def` one costs a trip
    # through the thread pool each: opening a session touches no database (the connection
    # is taken on first use, in the endpoint's thread), and ending a read-only one is a
    # COMMIT of nothing, so only a write's commit goes to a thread.
    read_only = request.method in SAFE_METHODS
    unit = get_database(request).session(read_only=read_only)
    session = unit.__enter__()
    try:
        yield session
    except BaseException as exc:
        await _end(unit, read_only, exc)
        raise
    await _end(unit, read_only, None)


async def _end(
    unit: AbstractContextManager[Session], read_only: bool, exc: BaseException | None
) -> None:
    exit_args = (type(exc), exc, exc.__traceback__) if exc else (None, None, None)
    if read_only:
        unit.__exit__(*exit_args)
    else:
        await run_in_threadpool(unit.__exit__, *exit_args)


SessionDep = Annotated[Session, Depends(_session, scope="function")]

# Where a route that ends its request's session itself keeps it: (unit, read_only, session).
_ROUTE_SESSION = "coalesce.session"


async def _route_session(request: Request) -> Session:
    """The request's session for an API route, which ends it as `SessionDep` would, at the
    same moment (app/api/routing.py): FastAPI's machinery for a dependency that cleans up
    after the route costs more on every request than a short read's query."""
    held = request.scope.get(_ROUTE_SESSION)
    if held is None:
        if not getattr(request.scope.get("route"), "ends_session", False):
            raise RuntimeError("RouteSessionDep needs a route that ends the session.")
        read_only = request.method in SAFE_METHODS
        unit = get_database(request).session(read_only=read_only)
        held = (unit, read_only, unit.__enter__())
        request.scope[_ROUTE_SESSION] = held
    return held[2]


async def end_route_session(request: Request, exc: BaseException | None) -> None:
    """Commit (or roll back, after `exc`) and close the session a route was given, if any."""
    held = request.scope.pop(_ROUTE_SESSION, None)
    if held is not None:
        await _end(held[0], held[1], exc)


RouteSessionDep = Annotated[Session, Depends(_route_session)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def storable_parameters(request: Request) -> None:
    """Path and query parameters end up in queries as text: one that no backend can hold
    (a NUL, say, from `%00`) is a 422 naming it before anything looks it up."""
    parameters = [
        *(("path", name, value) for name, value in request.path_params.items()),
        *(("query", name, value) for name, value in request.query_params.multi_items()),
    ]
    refused = [
        {"loc": [location, name], "msg": UNSTORABLE_MESSAGE, "type": "unstorable_text"}
        for location, name, value in parameters
        if isinstance(value, str) and UNSTORABLE.search(value)
    ]
    if refused:
        names = ", ".join(f"{e['loc'][0]} parameter {e['loc'][1]}" for e in refused)
        raise Invalid(f"{names}: {UNSTORABLE_MESSAGE}", errors=refused)
