"""What SQLite gives back is what went in: UTC timestamps parsed by fromisoformat, JSON
columns decoded by orjson, and a pool holding a connection for every thread."""

import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, insert, select, text

from app.db import POOL_SIZE, build_engine
from app.models.base import UTCDateTime
from app.observability import RequestIdMiddleware


@pytest.fixture
def engine(tmp_path: Path):
    engine = build_engine(f"sqlite:///{tmp_path / 'values.db'}")
    yield engine
    engine.dispose()


def test_timestamps_and_json_read_back_as_written(engine) -> None:
    table = Table(
        "sample",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime),
        Column("data", JSON),
    )
    table.metadata.create_all(engine)
    written = [
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 9, 0, 0, 120, tzinfo=UTC),
        datetime(2026, 3, 2, 11, 30, 5, 999999, tzinfo=timezone(timedelta(hours=2))),
        None,
    ]
    data = {"to": "signed", "tags": ["a", "é"], "n": 3, "nested": {"ok": True}}
    with engine.begin() as conn:
        conn.execute(insert(table), [{"at": at, "data": data} for at in written])
        read = conn.execute(select(table.c.at, table.c.data).order_by(table.c.id)).all()
    assert [row.at for row in read] == written
    assert all(row.at.tzinfo is UTC for row in read if row.at is not None)
    assert all(row.data == data for row in read)


def test_text_stored_by_hand_is_read_as_utc(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE hand (at TEXT)"))
        conn.execute(text("INSERT INTO hand VALUES ('2026-03-02 09:00:00')"))
        table = Table("hand", MetaData(), Column("at", UTCDateTime))
        at = conn.execute(select(table.c.at)).scalar_one()
    assert at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_pool_holds_a_connection_for_every_thread_of_the_pool(engine) -> None:
    assert engine.pool.size() == POOL_SIZE


async def test_the_access_log_is_not_built_when_it_is_off(caplog, monkeypatch) -> None:
    caplog.set_level(logging.WARNING, logger="coalesce.access")
    built = []
    monkeypatch.setattr(RequestIdMiddleware, "_log", staticmethod(lambda *a: built.append(a)))

    async def app(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message) -> None:
        pass

    scope = {"type": "http", "method": "GET", "path": "/healthz", "headers": []}
    await RequestIdMiddleware(app)(scope, None, send)
    assert built == []
    caplog.set_level(logging.INFO, logger="coalesce.access")
    await RequestIdMiddleware(app)(scope, None, send)
    assert len(built) == 1
