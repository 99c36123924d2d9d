"""A page that only reads is rendered where its database answers a read soonest: on the
event loop for SQLite in a file, in a thread for PostgreSQL; a page that writes always in a
thread (a writer may wait for the lock)."""

import asyncio
import threading
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from sqlmodel import create_engine

from app.db import Database
from app.main import create_app
from app.pages.routing import PageRoute, writes
from app.security import SESSION_COOKIE, SessionSigner
from tests.conftest import TEST_SECRET, World


async def loop_thread() -> int:
    return threading.get_ident()


def test_a_reading_page_runs_where_its_database_reads_soonest(backend, database) -> None:
    seen: dict[str, int] = {}
    router = APIRouter(route_class=PageRoute)

    @router.get("/read/{name}")
    def read(name: str, loop: Annotated[int, Depends(loop_thread)]) -> PlainTextResponse:
        seen["loop"], seen["read"] = loop, threading.get_ident()
        return PlainTextResponse(f"hello {name}")

    @router.get("/with-request")
    def with_request(request: Request) -> PlainTextResponse:
        seen["with-request"] = threading.get_ident()
        return PlainTextResponse(request.url.path)

    @router.post("/write")
    def write() -> PlainTextResponse:
        seen["write"] = threading.get_ident()
        return PlainTextResponse("written")

    @router.get("/follow-link")
    @writes
    def follow_link() -> PlainTextResponse:
        seen["follow-link"] = threading.get_ident()
        return PlainTextResponse("followed")

    app = FastAPI()
    app.include_router(router)
    app.state.database = database
    with TestClient(app) as client:
        assert client.get("/read/dana").text == "hello dana"
        assert client.get("/with-request").text == "/with-request"
        assert client.post("/write").text == "written"
        assert client.get("/follow-link").text == "followed"
    on_the_loop = backend == "sqlite"
    assert (seen["read"] == seen["loop"]) is on_the_loop
    assert (seen["with-request"] == seen["loop"]) is on_the_loop
    assert seen["write"] != seen["loop"]
    assert seen["follow-link"] != seen["loop"]  # a GET that writes, marked so


async def test_pages_read_together_with_fewer_connections_than_requests(committed, settings):
    # Each page reads on the loop and gives its connection back before it waits again: a
    # request holding one while suspended could leave a later one waiting on the loop for
    # a connection only a suspended request could free (a frozen process, then 500s).
    url, _ = committed
    engine = create_engine(url, pool_size=1, max_overflow=1, pool_timeout=3)
    try:
        database = Database(engine)
        world = World(database)
        user = world.user()
        app = create_app(settings.model_copy(update={"database_url": url}), database=database)
        signer = SessionSigner(TEST_SECRET, 3600)
        cookies = {SESSION_COOKIE: signer.dumps({"uid": user.id, "csrf": "csrf"})}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://coalesce", cookies=cookies
        ) as browser:
            answers = await asyncio.gather(*(browser.get("/notifications") for _ in range(12)))
        assert [answer.status_code for answer in answers] == [200] * 12
        assert all("<h1>Notifications</h1>" in answer.text for answer in answers)
    finally:
        engine.dispose()
