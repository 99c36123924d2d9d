"""PostgreSQL connections in the pool: a connection the server dropped is replaced before
a request uses it, and reads run without a transaction of their own."""

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app import db
from app.db import Database, build_engine
from tests.databases import _libpq, fresh_database_url


@pytest.fixture
def postgres_url(tmp_path):
    with fresh_database_url("postgresql", tmp_path) as url:
        yield url


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def test_a_pooled_connection_the_server_dropped_is_replaced(postgres_url, monkeypatch) -> None:
    engine = build_engine(postgres_url)
    dropped = _backend_pid(engine)
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (dropped,)).fetchone() == (True,)
    # As if the connection had waited in the pool past the idle limit.
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)

    replacement = _backend_pid(engine)

    assert replacement != dropped
    engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(postgres_url, monkeypatch) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    engine = build_engine(postgres_url)
    first = _backend_pid(engine)
    with psycopg.connect(_libpq(postgres_url), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    # Checked in within the idle limit, so not pinged: the dropped connection surfaces as
    # an error, and the pool then replaces every connection as old as it.
    with pytest.raises(DBAPIError):
        _backend_pid(engine)
    assert _backend_pid(engine) != first
    engine.dispose()


def _transaction_status(session) -> psycopg.pq.TransactionStatus:
    session.execute(text("SELECT 1"))
    return session.connection().connection.dbapi_connection.info.transaction_status


def test_reads_run_without_a_transaction_and_writes_within_one(postgres_url) -> None:
    database = Database(build_engine(postgres_url))
    with database.session(read_only=True) as session:
        assert _transaction_status(session) == psycopg.pq.TransactionStatus.IDLE
    with database.session() as session:
        assert _transaction_status(session) == psycopg.pq.TransactionStatus.INTRANS
    database.bind.dispose()
