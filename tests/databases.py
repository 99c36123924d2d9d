"""Fresh test databases: an SQLite file, or a new PostgreSQL database on the test server."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("COALESCE_TEST_POSTGRES_URL")
# CI sets this: a PostgreSQL or browser test that would be skipped fails instead.
REQUIRE_ALL = os.environ.get("COALESCE_TEST_REQUIRE_ALL") == "1"
BACKENDS = ["sqlite", "postgresql"]


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"required under CI but unavailable: {reason}")
    pytest.skip(reason)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def fresh_database_url(backend: str, directory: Path) -> Iterator[str]:
    """A URL of an empty database of `backend`, dropped again afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'coalesce-{uuid.uuid4().hex[:8]}.db'}"
        return
    if not POSTGRES_URL:
        skip_or_fail("COALESCE_TEST_POSTGRES_URL is not set")
    assert POSTGRES_URL is not None
    name = f"coalesce_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(POSTGRES_URL), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
