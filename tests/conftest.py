"""Shared fixtures: a migrated database per backend, a rolled-back transaction per test,
the app and its client, people and organizations, and a clock tests can move."""

import base64
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app import migrate
from app.db import Database, build_engine
from app.main import create_app
from app.models import Coalition, IssueArea, Organization, User
from app.models.organizations import OrganizationKind, OrgRole
from app.principal import SCOPES, Principal
from app.schemas.coalitions import CoalitionCreate, MembershipCreate, MembershipUpdate
from app.schemas.organizations import IssueAreaCreate, OrganizationCreate, OrganizationUserCreate
from app.security import SESSION_COOKIE, SessionSigner
from app.services import accounts, coalitions, organizations
from app.settings import Settings, get_settings
from tests.databases import BACKENDS, REQUIRE_ALL, fresh_database_url
from tests.live import free_port

TEST_SECRET = "test-secret-key-for-the-suite"
# Arranges a test's world; its changes carry no actor.
SETUP = Principal(user_id="setup", email="setup", is_platform_admin=True)


TEST_ENVIRONMENT = {
    "COALESCE_ENVIRONMENT": "test",
    "COALESCE_SECRET_KEY": TEST_SECRET,
    # Receivers in the tests listen on 127.0.0.1 over http; the guard is tested on its own.
    "COALESCE_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
    # A test makes many requests in a minute its clock does not move; the limits are
    # tested on their own (tests/api/test_rate_limits.py).
    "COALESCE_RATE_LIMIT_PER_MINUTE": "0",
    "COALESCE_RATE_LIMIT_PER_CLIENT_PER_MINUTE": "0",
}


@pytest.fixture(scope="session", autouse=True)
def _test_environment() -> Iterator[None]:
    """Services read the one settings object; the suite's is set here, once."""
    saved = {key: os.environ.get(key) for key in TEST_ENVIRONMENT}
    os.environ.update(TEST_ENVIRONMENT)
    get_settings.cache_clear()
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


@pytest.fixture
def committed(backend: str, tmp_path: Path) -> Iterator[tuple[str, Database]]:
    """A database of the test's own, where every change is really committed (for the
    worker, races and live servers)."""
    with fresh_database_url(backend, tmp_path) as url:
        migrate.upgrade(url)
        engine = build_engine(url)
        yield url, Database(engine)
        engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database_url(backend, tmp_path_factory.mktemp("db")) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(environment="test", database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture
def database(engine: Engine) -> Iterator[Database]:
    """Everything a test writes lives in one transaction that is rolled back at the end."""
    connection = engine.connect()
    transaction = connection.begin()
    yield Database(connection)
    transaction.rollback()
    connection.close()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session() as session:
        yield session


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database=database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Frozen at a known moment; tests move it with `clock.shift(...)`."""
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


class Inbox:
    """What a real SMTP server (aiosmtpd) received."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Inbox, Controller, int]]:
    """An SMTP server on 127.0.0.1 that COALESCE_SMTP_URL points to, for the test's length."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("COALESCE_SMTP_URL", f"smtp://127.0.0.1:{port}/coalesce@example.org")
    get_settings.cache_clear()
    yield inbox, controller, port
    if controller._thread is not None:  # a test of retries stops it itself
        controller.stop()
    get_settings.cache_clear()


class World:
    """Makes people, organizations and tokens for a test, committed to its transaction."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._n = count(1)

    def user(
        self, name: str = "", *, password: str | None = None, platform_admin: bool = False
    ) -> User:
        n = next(self._n)
        with self.database.session() as session:
            return accounts.create_user(
                session,
                email=f"{name or 'person'}{n}@example.org",
                name=name or f"Person {n}",
                password=password,
                is_platform_admin=platform_admin,
            )

    def principal(self, user: User) -> Principal:
        with self.database.session() as session:
            return accounts.principal_for(session, user)

    def organization(
        self, admin: User | None = None, *, name: str = "", kind: str = "pta", **fields: Any
    ) -> Organization:
        admin = admin or self.user("admin")
        with self.database.session() as session:
            principal = accounts.principal_for(session, admin)
            return organizations.create_organization(
                session,
                principal,
                OrganizationCreate(
                    name=name or f"Organization {next(self._n)}",
                    kind=OrganizationKind(kind),
                    **fields,
                ),
            )

    def add(self, organization: Organization, user: User, role: str) -> None:
        with self.database.session() as session:
            organizations.add_user(
                session,
                SETUP,
                organization.id,
                OrganizationUserCreate(email=user.email, role=OrgRole(role)),
            )

    def member(self, organization: Organization, role: str = "member", name: str = "") -> User:
        user = self.user(name or role)
        self.add(organization, user, role)
        return user

    def issue_area(self, name: str = "") -> IssueArea:
        with self.database.session() as session:
            return organizations.create_issue_area(
                session,
                SETUP,
                IssueAreaCreate(name=name or f"Issue area {next(self._n)}"),
            )

    def coalition(self, convener: Organization, **fields: Any) -> Coalition:
        fields.setdefault("name", f"Coalition {next(self._n)}")
        fields.setdefault("unifying_issue", "Every child reads by third grade")
        with self.database.session() as session:
            return coalitions.create_coalition(
                session,
                SETUP,
                CoalitionCreate(convener_organization_id=convener.id, **fields),
            )

    def join(
        self, coalition: Coalition, organization: Organization, engagement: str = "supporter"
    ) -> None:
        """Invite and accept in one go, as the coalition's lead and the member would."""
        with self.database.session() as session:
            coalitions.invite(
                session, SETUP, coalition.id, MembershipCreate(organization_id=organization.id)
            )
            coalitions.update_member(
                session,
                SETUP,
                coalition_id=coalition.id,
                organization_id=organization.id,
                changes=MembershipUpdate(status="joined", engagement=engagement),
            )

    def invite(self, coalition: Coalition, organization: Organization) -> None:
        with self.database.session() as session:
            coalitions.invite(
                session, SETUP, coalition.id, MembershipCreate(organization_id=organization.id)
            )

    def token(self, user: User, scopes: tuple[str, ...] = SCOPES) -> str:
        """A token with every scope unless told otherwise: tests of a route's rules act
        with the person's full rights, as a browser session does."""
        with self.database.session() as session:
            _, plain = accounts.create_token(
                session, accounts.principal_for(session, user), name="t", scopes=scopes
            )
        return plain

    def headers(self, user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"}


@pytest.fixture
def world(database: Database) -> World:
    return World(database)


def basic_auth(email: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


@pytest.fixture
def as_user(world: World) -> Callable[[User], dict[str, str]]:
    return world.headers


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Under CI nothing may be skipped quietly: a skip there means a part was not tested.
    if REQUIRE_ALL and _skipped:
        print(f"\nCI requires every test to run; skipped: {_skipped}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def sign_in(client: TestClient, user: User) -> str:
    """A browser session for `user` without the password round trip; returns its CSRF token.
    (The sign-in form itself is tested in tests/pages/test_pages.py.)"""
    csrf = "csrf-token-for-tests"
    signer = SessionSigner(TEST_SECRET, 3600)
    client.cookies.set(SESSION_COOKIE, signer.dumps({"uid": user.id, "csrf": csrf}))
    return csrf
