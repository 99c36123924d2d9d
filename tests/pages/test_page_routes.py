"""A page that only reads is rendered where its database answers a read soonest: on the
event loop for SQLite in a file, in a thread for PostgreSQL; a page that writes always in a
thread (a writer may wait for the lock)."""

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from app.pages.routing import PageRoute


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

    app = FastAPI()
    app.include_router(router)
    app.state.database = database
    with TestClient(app) as client:
        assert client.get("/read/dana").text == "hello dana"
        assert client.get("/with-request").text == "/with-request"
        assert client.post("/write").text == "written"
    on_the_loop = backend == "sqlite"
    assert (seen["read"] == seen["loop"]) is on_the_loop
    assert (seen["with-request"] == seen["loop"]) is on_the_loop
    assert seen["write"] != seen["loop"]
