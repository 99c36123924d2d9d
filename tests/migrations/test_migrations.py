"""The schema changes only through migrations: no drift, and they run down and up again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app import migrate
from app.db import build_engine
from tests.databases import BACKENDS, fresh_database_url


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    with fresh_database_url(request.param, tmp_path) as url:
        yield url


def test_models_and_migrations_agree(empty_url):
    migrate.upgrade(empty_url)
    engine = build_engine(empty_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == [], (
        "models changed without a migration: run alembic revision --autogenerate"
    )


def test_upgrade_downgrade_upgrade(empty_url):
    migrate.upgrade(empty_url)
    engine = build_engine(empty_url)
    tables = set(inspect(engine).get_table_names())
    assert {"organization", "user_account", "position", "research_note"} <= tables

    migrate.downgrade(empty_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

    migrate.upgrade(empty_url)
    assert set(inspect(engine).get_table_names()) == tables
    engine.dispose()


def test_letters_closed_before_settle_their_decisions_in_approval(empty_url):
    """A letter closed before closing settled its decisions kept "in approval" beside a
    withdrawn approval; the migration puts those back to "not decided yet"."""
    from sqlalchemy import text

    from app import demo
    from app.db import Database
    from app.settings import get_settings

    migrate.upgrade(empty_url)
    engine = build_engine(empty_url)
    with Database(engine).session() as session:
        demo.seed(session, get_settings())
        session.commit()
    stopped = text(
        "SELECT d.status FROM signon_decision d JOIN activity a ON a.id = d.activity_id "
        "JOIN organization o ON o.id = d.organization_id "
        "WHERE a.title = 'Keep recess in the school day' AND o.name = 'Read Together'"
    )
    with engine.connect() as connection:
        assert connection.execute(stopped).scalar_one() == "pending"
    migrate.downgrade(empty_url, "0019")  # as letters closed before were left
    with engine.connect() as connection:
        assert connection.execute(stopped).scalar_one() == "in_approval"
    migrate.upgrade(empty_url)
    with engine.connect() as connection:
        assert connection.execute(stopped).scalar_one() == "pending"
    engine.dispose()
