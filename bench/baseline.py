"""The yardstick: bare Starlette reading the same rows with the bare driver (sqlite3 or
psycopg), one connection per thread, in the same page shape as Coalesce's API, answering
as Coalesce does: in as many threads, and SQLite reads on the event loop."""

import base64
import json
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from anyio import to_thread
from psycopg.rows import dict_row
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.settings import Settings

DATABASE = os.environ["BENCH_DATABASE_URL"]
COLUMNS = (
    "id, name, kind, website, description, staff_count, volunteer_count, expertise, "
    "communities, version, created_at, updated_at"
)
_local = threading.local()
_postgres = DATABASE.startswith("postgresql")
_mark = "%s" if _postgres else "?"


def _connection() -> Any:
    connection = getattr(_local, "connection", None)
    if connection is None:
        if _postgres:
            dsn = DATABASE.replace("postgresql+psycopg://", "postgresql://")
            connection = psycopg.connect(dsn, autocommit=True, row_factory=dict_row)
        else:
            connection = sqlite3.connect(DATABASE.removeprefix("sqlite:///"))
            connection.row_factory = sqlite3.Row
        _local.connection = connection
    return connection


def _item(row: Any) -> dict[str, Any]:
    item = dict(row)
    if not _postgres:
        item["expertise"] = json.loads(item["expertise"])
        item["communities"] = json.loads(item["communities"])
    item["created_at"] = str(item["created_at"])
    item["updated_at"] = str(item["updated_at"])
    return item


def organizations(request: Request) -> Response:
    after = ""
    if cursor := request.query_params.get("cursor"):
        after = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()[6:]
    limit = int(request.query_params.get("limit", "50"))
    rows = (
        _connection()
        .execute(
            f"SELECT {COLUMNS} FROM organization WHERE deleted_at IS NULL AND id > {_mark} "  # noqa: S608
            f"ORDER BY id LIMIT {_mark}",
            (after, limit + 1),
        )
        .fetchall()
    )
    items = [_item(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = base64.urlsafe_b64encode(f"after:{items[-1]['id']}".encode()).decode()
    return JSONResponse({"items": items, "next_cursor": next_cursor})


def organization(request: Request) -> Response:
    row = (
        _connection()
        .execute(
            f"SELECT {COLUMNS} FROM organization WHERE id = {_mark} AND deleted_at IS NULL",  # noqa: S608
            (request.path_params["org_id"],),
        )
        .fetchone()
    )
    if row is None:
        return JSONResponse({"title": "Not found"}, status_code=404)
    return JSONResponse(_item(row), headers={"ETag": f'"{row["version"]}"'})


def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    # The same number of threads as Coalesce answers in (COALESCE_WEB_THREADS), so the
    # two are measured alike, and each holds as many database connections.
    threads = Settings().web_threads
    to_thread.current_default_thread_limiter().total_tokens = threads
    yield


def _answered_as_coalesce_answers(endpoint: Callable[[Request], Response]) -> Callable[..., Any]:
    """On SQLite, on the event loop (`Database.reads_on_the_loop`); on PostgreSQL, in a
    thread (Starlette runs a plain function there)."""
    if _postgres:
        return endpoint

    async def on_the_loop(request: Request) -> Response:
        return endpoint(request)

    return on_the_loop


app = Starlette(
    lifespan=lifespan,
    routes=[
        Route("/healthz", health),
        Route("/api/v1/organizations", _answered_as_coalesce_answers(organizations)),
        Route("/api/v1/organizations/{org_id}", _answered_as_coalesce_answers(organization)),
    ],
)
