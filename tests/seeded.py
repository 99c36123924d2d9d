"""A coalition with one of everything, made through the API, for the tests that throw
generated requests at every route: the ids they aim at, the token that opens them, and a
guard that keeps webhook addresses from being looked up anywhere but on this machine."""

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app import clock, webhook_security
from app.db import Database
from app.main import create_app
from app.settings import Settings
from tests.conftest import TEST_SECRET, World
from tests.receiver import running_receiver


@dataclass
class Seeded:
    """Who calls (`headers`: an admin of two organizations) and, per parameter or field
    name, the ids of real objects that caller may reach."""

    headers: dict[str, str]
    ids: dict[str, list[str]] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)  # "pta", "letter", … → its id
    app: FastAPI | None = None
    database: Database | None = None
    receiver_url: str = ""

    @contextmanager
    def rolled_back(self) -> Iterator[None]:
        """One generated request in a savepoint: every request meets the same world."""
        assert self.database is not None
        savepoint = self.database.bind.begin_nested()  # type: ignore[union-attr]
        try:
            yield
        finally:
            savepoint.rollback()


@contextmanager
def seeded_app(engine: Engine, database_url: str) -> Iterator[Seeded]:
    """The app on a connection of its own, seeded once, rolled back at the end: for a
    module-scoped fixture, so a module of generated requests seeds once per backend."""
    connection = engine.connect()
    transaction = connection.begin()
    database = Database(connection)
    # Open sign-up, so that its routes answer here as any other write does.
    settings = Settings(
        environment="test", database_url=database_url, secret_key=TEST_SECRET, signup="open"
    )
    app = create_app(settings, database=database)
    try:
        with TestClient(app) as client, running_receiver() as receiver:
            seeded = seed(client, World(database), receiver.url)
            seeded.app, seeded.database, seeded.receiver_url = app, database, receiver.url
            yield seeded
    finally:
        transaction.rollback()
        connection.close()


def lookups_on_this_machine_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Webhook addresses are resolved when subscribing; generated ones could name any host.
    Only loopback names resolve here; the hosts refused are returned for the test to check."""
    refused: list[str] = []
    real = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "localhost", "::1"):
            refused.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, "not looked up in tests")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(webhook_security.socket, "getaddrinfo", loopback_only)
    return refused


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code < 300, response.text
    return response.json() if response.content else {}


SEEDED_PASSWORD = "dana's password"


def seed(client: TestClient, world: World, webhook_url: str) -> Seeded:
    """Dana admins the State PTA (convener and lead of a coalition) and the Education
    Association (a joined member whose one-step approval process holds an open letter)."""
    dana = world.user("dana", password=SEEDED_PASSWORD)
    sam = world.user("sam")
    pta = world.organization(dana, name="State PTA", reports_to="state@example.org")
    union = world.organization(dana, name="Education Association", kind="union")
    world.add(pta, sam, "member")
    headers = world.headers(dana)

    def post(path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return _ok(client.post(f"/api/v1{path}", headers=headers, json=body))

    def put(path: str, body: dict[str, Any]) -> dict[str, Any]:
        return _ok(client.put(f"/api/v1{path}", headers=headers, json=body))

    area = post("/issue-areas", {"name": "Early literacy"})
    for org in (pta, union):
        put(
            f"/organizations/{org.id}/positions/{area['id']}",
            {"stance": "support", "priority": "main"},
        )
    post(
        f"/organizations/{pta.id}/research",
        {"subject_organization_id": union.id, "reputable": True},
    )
    put(
        f"/organizations/{union.id}/approval-process",
        {"steps": [{"name": "Board vote", "approver_role": "admin", "expected_days": 3}]},
    )

    coalition = world.coalition(pta, name="Read by Nine", issue_area_ids=[area["id"]])
    world.join(coalition, union)
    goal = post(
        f"/coalitions/{coalition.id}/goals", {"title": "Pass the bill", "due_date": "2027-06-30"}
    )
    objective = post(f"/goals/{goal['id']}/objectives", {"title": "Meet the chair"})
    deadline = _in_days(10)
    draft = post(
        f"/coalitions/{coalition.id}/activities",
        {"kind": "sign_on_letter", "title": "Fund literacy", "sign_on_deadline": deadline},
    )
    letter = post(
        f"/coalitions/{coalition.id}/activities",
        {"kind": "sign_on_letter", "title": "Fund tutors", "sign_on_deadline": deadline},
    )
    post(f"/activities/{letter['id']}/open")
    approval = _ok(client.get(f"/api/v1/organizations/{union.id}/approvals", headers=headers))
    proposal = post(
        f"/coalitions/{coalition.id}/proposals", {"title": "Hold a rally", "closes_at": _in_days(7)}
    )
    webhook = post("/webhooks", {"url": webhook_url, "organization_id": pta.id})
    delivery = post(f"/webhooks/{webhook['id']}/test")
    spare_token = post("/tokens", {"name": "spare"})
    # Sam has not chosen a password: an invitation and a reset link, read from the outbox.
    post(f"/organizations/{pta.id}/users/{sam.id}/invitation")
    post("/password-resets", {"email": sam.email})
    invitation_token, reset_token = _link_tokens(world, sam.email)
    post("/signups", {"email": "newcomer@example.org"})
    signup_token = _link_token(world, "newcomer@example.org", "/signup/")
    notes = _ok(client.get("/api/v1/notifications", headers=headers))["items"]

    org_ids = [pta.id, union.id]
    return Seeded(
        headers=headers,
        named={
            "pta": pta.id,
            "union": union.id,
            "sam": sam.id,
            "area": area["id"],
            "coalition": coalition.id,
            "goal": goal["id"],
            "objective": objective["id"],
            "draft": draft["id"],
            "letter": letter["id"],
            "approval": approval["items"][0]["id"],
            "proposal": proposal["id"],
            "webhook": webhook["id"],
            "invitation_token": invitation_token,
            "reset_token": reset_token,
            "signup_token": signup_token,
        },
        ids={
            "org_id": org_ids,
            "organization_id": org_ids,
            "subject_organization_id": [union.id],
            "convener_organization_id": org_ids,
            "assignee_organization_id": org_ids,
            "owner_organization_id": org_ids,
            "issue_area_id": [area["id"]],
            "user_id": [sam.id, dana.id],
            "coalition_id": [coalition.id],
            "goal_id": [goal["id"]],
            "objective_id": [objective["id"]],
            "activity_id": [draft["id"], letter["id"]],
            "approval_id": [a["id"] for a in approval["items"]],
            "proposal_id": [proposal["id"]],
            "webhook_id": [webhook["id"]],
            "delivery_id": [delivery["id"]],
            "token_id": [spare_token["id"]],
            "notification_id": [n["id"] for n in notes] or ["ntf_none"],
        },
    )


def _link_token(world: World, email: str, path: str) -> str:
    """The token of the last link to `path` mailed to `email` (requests for links answered
    first, as the worker would)."""
    from sqlmodel import select

    from app.models import EmailMessage
    from app.services import account_links

    with world.database.session() as session:
        opened = Settings(environment="test", secret_key=TEST_SECRET, signup="open")
        account_links.send_requested_links(session, settings=opened)
    with world.database.session() as session:
        bodies = session.exec(
            select(EmailMessage.body)
            .where(EmailMessage.to_address == email)
            .order_by(EmailMessage.id)  # type: ignore[arg-type]
        ).all()
    return re.findall(re.escape(path) + r"(\S+)", "\n".join(bodies))[-1]


def _link_tokens(world: World, email: str) -> tuple[str, str]:
    """The tokens of the last invitation and password reset mailed to `email`."""
    return _link_token(world, email, "/welcome/"), _link_token(world, email, "/reset-password/")


def _in_days(days: int) -> str:
    return (clock.now() + timedelta(days=days)).isoformat()
