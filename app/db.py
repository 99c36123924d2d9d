"""Database engines and sessions: one engine per URL, SQLite tuned for a single machine."""

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from psycopg.types.json import set_json_loads
from sqlalchemy import Engine, Executable, Row, event, exc, text
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, create_engine

from app.settings import Settings


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


READ_ONLY = "coalesce_read_only"


def _begin(conn: Connection) -> None:
    # A write transaction takes the lock at BEGIN, so two writers queue on busy_timeout
    # instead of failing with "database is locked" half-way through; reads need no lock.
    if conn.get_execution_options().get(READ_ONLY):
        # Straight to the driver: through SQLAlchemy's execution a BEGIN costs a quarter of
        # a short read. A deferred BEGIN takes no lock, so it has no error worth wrapping;
        # a writer's may wait and fail ("database is locked"), and keeps SQLAlchemy's errors.
        conn.connection.dbapi_connection.execute("BEGIN")  # type: ignore[union-attr]
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# A pooled PostgreSQL connection idle longer than this is pinged before use: one that the
# server dropped (a restart, an idle timeout) is replaced instead of failing a request.
# One in steady use is not: a ping per request would be half a short read's round trips.
PING_AFTER_IDLE_SECONDS = 1.0


def _note_checkin(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
    record.info["checked_in"] = time.monotonic()


def _pinging_if_idle(dialect: Dialect) -> Callable[..., None]:
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        checked_in = record.info.get("checked_in")
        if checked_in is not None and time.monotonic() - checked_in < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out another (or fails to
            # connect, with the database's own error, when the database is down).
            raise exc.DisconnectionError("the database dropped a pooled connection") from error

    return ping_if_idle


# SQLite: as many connections as the thread pool has threads (anyio's default), so no
# request waits for one or opens one: past `pool_size`, the pool opens a connection for
# the request and closes it after, running the pragmas again each time.
POOL_SIZE = 40


# PostgreSQL: connections are few (max_connections is 100 by default) and shared by every
# web process and worker of a deployment, so each process takes its share of a budget,
# and never more than the 30 one process was measured to need (10 kept open, 20 more
# only while it needs them).
MOST_CONNECTIONS_PER_PROCESS = 30


def postgres_pool(*, processes: int, budget: int) -> dict[str, int]:
    """One process's pool: its share of `budget` connections among `processes`, a third
    of it kept open. At least 2 each, whatever the budget."""
    share = max(2, min(MOST_CONNECTIONS_PER_PROCESS, budget // max(1, processes)))
    pool_size = max(1, share // 3)
    return {"pool_size": pool_size, "max_overflow": share - pool_size}


def build_engine(url: str, *, processes: int = 1, budget: int = 80) -> Engine:
    """`processes` and `budget` size PostgreSQL's pool (see `postgres_pool`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        pool: dict = {}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            pool = {"pool_size": POOL_SIZE, "max_overflow": 10}
        # orjson reads the JSON columns (tags, event data) several times faster than json.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            json_deserializer=orjson.loads,
            **pool,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling is off so BEGIN IMMEDIATE is ours to issue.
        event.listen(
            engine,
            "connect",
            lambda dbapi_conn, _r: setattr(dbapi_conn, "isolation_level", None),
        )
        event.listen(engine, "begin", _begin)
        return engine
    engine = create_engine(url, **postgres_pool(processes=processes, budget=budget))
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _pinging_if_idle(engine.dialect))
    # psycopg decodes json and jsonb itself: with orjson, as on SQLite.
    event.listen(engine, "connect", lambda dbapi_conn, _r: set_json_loads(orjson.loads, dbapi_conn))
    return engine


def engine_for(settings: Settings) -> Engine:
    """The engine of `settings.database_url`, its pool sized for the deployment."""
    return _engine(
        settings.database_url,
        processes=settings.database_processes,
        budget=settings.database_connection_budget,
    )


@lru_cache
def _engine(url: str, *, processes: int, budget: int) -> Engine:
    return build_engine(url, processes=processes, budget=budget)


class Database:
    """Hands out sessions; tests bind one to a connection that is rolled back."""

    def __init__(self, bind: Engine | Connection) -> None:
        self.bind = bind
        options: dict = {"class_": Session, "expire_on_commit": False}
        if isinstance(bind, Connection):
            options["join_transaction_mode"] = "create_savepoint"
        self._factory = sessionmaker(bind=bind, **options)
        # Readers are marked on the engine they use, so opening a session takes no
        # connection: it is taken on the first query, in whichever thread runs it.
        self._read_only_factory = self._factory
        if isinstance(bind, Engine):
            reader = bind.execution_options(**{READ_ONLY: True})
            if bind.dialect.name == "postgresql":
                # Statement by statement, as READ COMMITTED would see them in a transaction
                # (each statement its own snapshot), without a BEGIN and a COMMIT: two of a
                # short read's four round trips.
                reader = reader.execution_options(isolation_level="AUTOCOMMIT")
            self._read_only_factory = sessionmaker(bind=reader, **options)

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """A unit of work: commits when the block ends cleanly, rolls back otherwise.

        `read_only` lets SQLite readers run beside a writer instead of queueing behind it.
        """
        session: Session = (self._read_only_factory if read_only else self._factory)()
        try:
            yield session
            # A read whose route already ended its transaction has nothing to commit:
            # committing anyway would begin a transaction only to end it.
            if session.in_transaction() or session.new or session.dirty or session.deleted:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def is_reachable(self) -> bool:
        try:
            with self._factory() as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    @property
    def dialect(self) -> str:
        return self.bind.dialect.name

    @property
    def one_connection(self) -> bool:
        """Whether every session shares one connection (a test's, rolled back after it),
        which two threads must not use at once: work beside a request then waits for it."""
        return isinstance(self.bind, Connection)

    @property
    def reads_on_the_loop(self) -> bool:
        """Whether a short read is answered on the event loop rather than in a thread.

        SQLite reads a local file in WAL mode, where a reader waits for no writer: handing
        the read to a thread and the answer back (waking each side, passing the GIL) cost
        more than the read itself. A PostgreSQL read waits on the network, and the loop
        has other requests to serve meanwhile. An in-memory SQLite engine keeps one
        connection per thread, so its reads stay in the threads that wrote it."""
        if self.dialect != "sqlite":
            return False
        database = self.bind.engine.url.database or ""
        in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
        return not (in_memory or "mode=memory" in database)


def plain_rows(session: Session, statement: Executable, **params: Any) -> Sequence[Row]:
    """The rows of a statement built once at import (with `bindparam`s for `params`), run
    by the session's connection: a read a request makes every time then costs neither
    putting the statement together nor the ORM's bookkeeping, which on a short query cost
    more than the query. Flushed first, as the ORM would, so it sees the session's writes."""
    session.flush()
    return session.connection().execute(statement, params).all()
