"""The API's route class: a `def` route's answer is made in its own thread, byte for byte
what FastAPI would send."""

import threading
from typing import Annotated

import pytest
from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI, Query, Response
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import event, text
from sqlmodel import Session

from app.api.routing import ApiRoute
from app.db import Database, build_engine
from app.main import create_app


class Item(BaseModel):
    id: str
    count: int
    tags: list[str]


ITEM = {"id": "itm_1", "count": 3, "tags": ["a", "b"], "unlisted": "not in the model"}


async def loop_thread() -> int:
    """An `async def` dependency runs on the event loop: its thread is the loop's."""
    return threading.get_ident()


def _app(route_class: type) -> tuple[FastAPI, dict[str, int]]:
    seen: dict[str, int] = {}
    router = APIRouter(route_class=route_class)

    @router.get("/items/{item_id}", response_model=Item)
    def get_item(item_id: str, response: Response, loop: Annotated[int, Depends(loop_thread)]):
        seen["loop"], seen["route"] = loop, threading.get_ident()
        response.headers["ETag"] = '"7"'
        return ITEM

    @router.post("/items", response_model=Item, status_code=201)
    def create_item() -> dict:
        return ITEM

    @router.get("/wrong", response_model=Item)
    def get_wrong() -> dict:
        return {"id": "itm_1"}

    app = FastAPI()
    app.include_router(router)
    return app, seen


@pytest.mark.parametrize(("method", "path"), [("GET", "/items/itm_1"), ("POST", "/items")])
def test_answers_are_the_ones_fastapi_sends(method: str, path: str) -> None:
    plain, _ = _app(APIRoute)
    ours, _ = _app(ApiRoute)
    with TestClient(plain) as before, TestClient(ours) as after:
        expected = before.request(method, path)
        answer = after.request(method, path)
    assert answer.status_code == expected.status_code
    assert answer.content == expected.content
    assert answer.headers["content-type"] == expected.headers["content-type"]
    assert answer.headers.get("etag") == expected.headers.get("etag")


def test_a_def_route_still_runs_in_the_thread_pool() -> None:
    app, seen = _app(ApiRoute)
    with TestClient(app) as client:
        client.get("/items/itm_1")
    assert seen["route"] != seen["loop"]


def test_a_read_runs_on_the_loop_where_its_database_answers_sooner_than_a_thread(
    backend, database, tmp_path
) -> None:
    # SQLite in a file answers on the loop; PostgreSQL waits on the network, and an
    # in-memory SQLite keeps a connection per thread, so their reads stay in threads.
    memory = build_engine("sqlite://")
    try:
        for answering, expected in ((database, backend == "sqlite"), (Database(memory), False)):
            app, seen = _app(ApiRoute)
            app.state.database = answering
            with TestClient(app) as client:
                assert client.get("/items/itm_1").json()["id"] == "itm_1"
            assert (seen["route"] == seen["loop"]) is expected, (backend, answering.bind)
    finally:
        memory.dispose()


def test_an_answer_the_model_refuses_is_still_an_error() -> None:
    app, _ = _app(ApiRoute)
    with TestClient(app) as client, pytest.raises(ResponseValidationError):
        client.get("/wrong")


def test_the_schema_still_declares_the_model() -> None:
    plain, _ = _app(APIRoute)
    ours, _ = _app(ApiRoute)
    assert ours.openapi() == plain.openapi()


def test_a_read_gives_its_connection_back_from_its_own_thread(tmp_path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'reads.db'}")
    database = Database(engine)
    returned: list[int] = []
    event.listen(engine, "checkin", lambda *_: returned.append(threading.get_ident()))
    seen: dict[str, int] = {}

    async def session():
        with database.session(read_only=True) as unit:
            yield unit

    router = APIRouter(route_class=ApiRoute)

    @router.get("/answer", response_model=int)
    def answer(unit: Annotated[Session, Depends(session)]) -> int:
        seen["route"] = threading.get_ident()
        return unit.execute(text("SELECT 42")).scalar_one()

    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:
        assert client.get("/answer").json() == 42
    assert returned == [seen["route"]]
    engine.dispose()


def test_a_web_process_answers_in_as_many_threads_as_its_settings_say(settings, database):
    app = create_app(settings.model_copy(update={"web_threads": 3}), database=database)

    @app.get("/threads-in-use")
    async def threads_in_use() -> dict:
        return {"threads": to_thread.current_default_thread_limiter().total_tokens}

    with TestClient(app) as client:
        assert client.get("/threads-in-use").json() == {"threads": 3}


def test_a_dependency_whose_own_dependency_is_wrong_is_not_called() -> None:
    # As FastAPI solves them: a query parameter out of range answers 422, and nothing that
    # depends on it runs (the route's fast read path solves dependencies itself).
    called: list[str] = []

    async def page_size(size: Annotated[int, Query(ge=1)] = 10) -> int:
        return size

    async def pages(size: Annotated[int, Depends(page_size)]) -> int:
        called.append("pages")
        return 100 // size

    for route_class in (APIRoute, ApiRoute):
        router = APIRouter(route_class=route_class)

        @router.get("/count", response_model=int)
        def count(response: Response, many: Annotated[int, Depends(pages)]) -> int:
            return many

        app = FastAPI()
        app.include_router(router)
        with TestClient(app) as client:
            assert client.get("/count?size=20").json() == 5
            wrong = client.get("/count?size=0")
        assert wrong.status_code == 422
        assert [error["loc"] for error in wrong.json()["detail"]] == [["query", "size"]]
        assert called == ["pages"], route_class
        called.clear()
