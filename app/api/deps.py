"""Typed dependencies only API routes use: the principal from a token, paging, If-Match."""

import asyncio
import base64
import binascii
import weakref
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.api import scopes
from app.deps import RouteSessionDep as SessionDep
from app.deps import client_address
from app.errors import Invalid, PreconditionFailed, Unauthorized
from app.pagination import MAX_LIMIT
from app.principal import Principal
from app.schemas.base import UNSTORABLE
from app.security import TOKEN_HASH
from app.services import accounts
from app.settings import Settings


async def _principal(request: Request, session: SessionDep) -> Principal:
    # The header and the settings are read here rather than declared as parameters: each
    # declared one costs FastAPI a step on every request, and neither is in the schema.
    authorization = request.headers.get("authorization")
    if not authorization:
        raise Unauthorized("Send `Authorization: Bearer <token>` (or HTTP Basic to make one).")
    scheme, _, credentials = authorization.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and credentials:
        token = credentials.strip()
        # The rate limiter hashed the token already (it counts requests by the hash).
        token_hash = request.scope.get(TOKEN_HASH)
        # Most requests find their principal in the cache, without leaving the event loop.
        principal = accounts.cached_principal(token, token_hash=token_hash)
        if principal is None:
            principal = await _looked_up(request, token, token_hash)
        # The one place a token's expiry and scopes are checked, for every route.
        scopes.authorize(principal, request.scope.get("route"))
        return principal
    if scheme == "basic" and credentials:
        settings: Settings = request.app.state.settings
        return await run_in_threadpool(_basic_principal, request, session, settings, credentials)
    raise Unauthorized("Unsupported authorization scheme; use Bearer or Basic.")


# Per event loop: the token lookups under way, by token hash, with the principal cache's
# generation when each began.
_Lookup = tuple[int, "asyncio.Future[Principal]"]
_LOOKUPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Lookup]] = (
    weakref.WeakKeyDictionary()
)


async def _looked_up(request: Request, token: str, token_hash: str | None) -> Principal:
    """The principal of a token the cache no longer holds, asked for once: requests with
    the same token arriving while it is asked wait for that answer. When the entry expired
    under 32 connections, each of them sent the same query to the threads at once, and
    every request behind them waited for all 32 (a stall each second).

    The lookup reads in a session of its own, so a read never waits on a write's lock by
    sharing a writer's lookup; one begun before a change to tokens, people or roles (the
    cache's generation moved) is not shared with a request arriving after it."""
    database = request.app.state.database

    def lookup() -> Principal:
        with database.session(read_only=True) as reading:
            return accounts.principal_for_token(reading, token, token_hash=token_hash)

    if token_hash is None:
        return await run_in_threadpool(lookup)
    lookups = _LOOKUPS.setdefault(asyncio.get_running_loop(), {})
    while (shared := lookups.get(token_hash)) is not None:
        generation, pending = shared
        if generation != accounts.principal_cache.generation:
            break  # begun before a change: ask again
        try:
            return await asyncio.shield(pending)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not pending.cancelled() or (task is not None and task.cancelling()):
                raise  # this request was cancelled
            # The request that asked was cancelled before the answer came: ask again.
    pending = asyncio.get_running_loop().create_future()
    # An answer nobody else waited for is still "retrieved": no warning when it is dropped.
    pending.add_done_callback(lambda done: done.cancelled() or done.exception())
    lookups[token_hash] = (accounts.principal_cache.generation, pending)
    try:
        principal = await run_in_threadpool(lookup)
    except BaseException as exc:
        if isinstance(exc, Exception):
            pending.set_exception(exc)
        else:
            pending.cancel()  # those waiting ask again
        raise
    else:
        pending.set_result(principal)
        return principal
    finally:
        if lookups.get(token_hash, (0, None))[1] is pending:
            del lookups[token_hash]


def _basic_principal(
    request: Request, session: Session, settings: Settings, credentials: str
) -> Principal:
    email, password = _basic_credentials(credentials)
    try:
        return accounts.authenticate(
            session,
            email=email,
            password=password,
            address=client_address(request),
            settings=settings,
        )
    except Unauthorized:
        session.commit()  # keep the recorded failure: throttling depends on it
        raise


def _basic_credentials(encoded: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("Malformed Basic credentials.") from None
    email, sep, password = decoded.partition(":")
    if not sep or UNSTORABLE.search(decoded):
        raise Unauthorized("Malformed Basic credentials.")
    return email, password


CurrentPrincipal = Annotated[Principal, Depends(_principal)]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1 to 200).")]
# A list in another order than by id carries the last row's value in its cursor (a name).
Cursor = Annotated[
    str | None, Query(max_length=600, description="`next_cursor` of the previous page.")
]
Search = Annotated[
    str | None,
    Query(max_length=200, description="Only items holding every word of it, whatever the case."),
]


def _if_match(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The version an If-Match header names (`"3"` or `W/"3"`); `*` or absent means any."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()):
        raise PreconditionFailed('If-Match must be an ETag this API gave out, such as "3".')
    return int(value)


IfMatch = Annotated[int | None, Depends(_if_match)]


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def expansions(*allowed: str) -> Any:
    """An `expand` query parameter taking any of `allowed`, comma separated: related rows
    a reader would otherwise fetch one call per item, loaded with the page."""

    # Written `async`: a pure check, run where the route's other dependencies run.
    async def parse(
        expand: Annotated[
            str | None,
            Query(
                max_length=200,
                description=f"Comma separated, any of: {', '.join(allowed)}.",
            ),
        ] = None,
    ) -> frozenset[str]:
        wanted = frozenset(part.strip() for part in (expand or "").split(",") if part.strip())
        unknown = sorted(wanted - set(allowed))
        if unknown:
            raise Invalid.field(
                ["query", "expand"],
                f"Cannot expand {', '.join(unknown)}; this route expands: {', '.join(allowed)}.",
            )
        return wanted

    return Depends(parse)


def created_at(response: Response, path: str) -> None:
    """A 201 names where the new resource lives (`/api/v1/…`)."""
    response.headers["Location"] = f"/api/v1{path}"
